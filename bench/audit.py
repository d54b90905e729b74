#!/usr/bin/env python
"""Benchmarks of the audit trail. Prints its figures.

    .venv/bin/python bench/audit.py [--entries 1000000] [--saves 2000] [--seal 100000]

Runs against PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/zhaoshang) in a
throw-away database ``test_zhaoshang_bench`` (schema built from the models, plus the audit
migrations' keyset indexes and less the redundant ones 0006 drops), with random keys generated for the run. Figures:

1. one audited save (django-auditlog registered, diffing against the row's snapshot, see
   audit.snapshots) against the same save with auditlog disabled, same run, best of 5 — target
   ≤ 2×; for reference, the same save with auditlog's own receiver (which re-reads the row);
2. the auditor's list page (/audit/, through the full Django stack, signed in as the auditor) over
   N LogEntry rows written with COPY: first page and 1,000th page (keyset cursor) — target within 2×;
   the same for a filter by user; and, for contrast, the SQL of an OFFSET page at the same depth;
3. sealing throughput (entries per second) and verification throughput over `--seal` entries.
"""

import argparse
import contextlib
import json
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [
    str(ROOT),
    *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"),
]  # not bench/: its requests.py would shadow the requests package

from bench import environment, summary  # noqa: E402

environment.setup("zhaoshang_bench")

from auditlog.context import disable_auditlog  # noqa: E402
from auditlog.models import LogEntry  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402


def best_ms(func, repeat=5, number=1):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            func()
        times.append((time.perf_counter() - start) / number)
    return min(times) * 1000


def bench_saves(n):
    from clients.models import Department

    dept = Department.objects.create(name="bench", code="bench-dept", kind="team")
    counter = iter(range(10**9))

    def save():
        dept.name = f"bench {next(counter)}"
        dept.save()

    def atomic_save():
        with transaction.atomic():  # how services write: one transaction per business change
            save()

    print("1. audited save vs unaudited (clients.Department.save, best of 5)")
    for label, func in (("in a service transaction", atomic_save), ("autocommit, per statement", save)):
        audited = best_ms(func, number=n) * 1000
        with disable_auditlog():
            plain = best_ms(func, number=n) * 1000
        with _auditlog_reread(Department):
            reread = best_ms(func, number=n) * 1000
        print(
            f"   {label:26s} audited {audited:7.1f} µs   unaudited {plain:7.1f} µs   "
            f"ratio {audited / plain:4.2f}× (target ≤ 2×)   [auditlog's re-read: {reread:7.1f} µs, "
            f"{reread / plain:4.2f}×]"
        )
        summary.result(
            f"audited save vs unaudited, {label}",
            target="≤ 2×",
            value=f"{audited / plain:.2f}× ({audited:.0f} vs {plain:.0f} µs)",
            ok=audited / plain <= 2,
        )


@contextlib.contextmanager
def _auditlog_reread(model):
    """For reference: the audited save with django-auditlog's own receiver (re-read before diff)."""
    from auditlog.receivers import log_update as reread_update
    from auditlog.registry import auditlog
    from django.db.models.signals import pre_save

    from audit import snapshots

    uid = auditlog._dispatch_uid(pre_save, snapshots.log_update)
    pre_save.disconnect(sender=model, dispatch_uid=uid)
    pre_save.connect(reread_update, sender=model, dispatch_uid="bench-reread")
    try:
        yield
    finally:
        pre_save.disconnect(sender=model, dispatch_uid="bench-reread")
        pre_save.connect(snapshots.log_update, sender=model, dispatch_uid=uid)


def fill_log(n, users, ct_ids):
    print(f"   writing {n:,} LogEntry rows with COPY …", flush=True)
    start = time.perf_counter()
    now = timezone.now()
    changes = json.dumps({"name": ["[已加密]", "[已加密]"], "stage": ["lead", "talks"]}, ensure_ascii=False)
    cols = "content_type_id, object_pk, object_id, object_repr, action, changes_text, changes, actor_id, timestamp, cid"
    with connection.cursor() as cursor, cursor.copy(f"COPY auditlog_logentry ({cols}) FROM STDIN") as copy:
        for i in range(n):
            ts = now - timezone.timedelta(seconds=(n - i) * 2)
            pk = i % 50_000 + 1
            copy.write_row(
                (ct_ids[i % len(ct_ids)], str(pk), pk, f"#{pk}", i % 3, "", changes, users[i % len(users)], ts, f"c{i}")
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE auditlog_logentry")
    print(f"   done in {time.perf_counter() - start:.1f} s")


def bench_pages(auditor, page_size, filter_user):
    client = Client()
    client.force_login(auditor)

    def cursor_at(depth_rows, **flt):
        qs = LogEntry.objects.filter(**flt).order_by("-id").values_list("id", flat=True)
        row = qs[depth_rows - 1 : depth_rows].first()
        return None if row is None else row + 1  # `before` = one above the first row of the page

    total = LogEntry.objects.order_by("-id").values_list("id", flat=True)[0]
    print(f"2. auditor list page /audit/ over {total:,} entries")
    for label, params, flt in (
        ("no filter", {}, {}),
        ("filter by user", {"user": filter_user}, {"actor_id": filter_user}),
    ):
        deep = cursor_at(999 * page_size + 1, **flt)
        if deep is None:
            print(f"   {label:15s} fewer than 1,000 pages of entries: run with more --entries")
            continue
        first = best_ms(lambda p=params: client.get("/audit/", p))
        thousandth = best_ms(lambda p=params, d=deep: client.get("/audit/", {**p, "before": d}))
        response = client.get("/audit/", {**params, "before": deep})
        assert response.status_code == 200 and len(response.context["rows"]) == page_size
        print(
            f"   {label:15s} first {first:7.1f} ms   1,000th {thousandth:7.1f} ms   ratio "
            f"{max(first, thousandth) / min(first, thousandth):4.2f}× (target within 2×)"
        )
        spread = max(first, thousandth) / min(first, thousandth)
        summary.result(
            f"auditor page, {label}: 1,000th page vs first",
            target="within 2×",
            value=f"{spread:.2f}× ({first:.1f} / {thousandth:.1f} ms)",
            ok=spread <= 2,
        )
    offset = 999 * page_size
    before = cursor_at(offset + 1)  # computed once, as the previous page's link carries it
    if before is None:
        return
    with connection.cursor() as cursor:

        def by_offset():
            cursor.execute("SELECT * FROM auditlog_logentry ORDER BY id DESC LIMIT %s OFFSET %s", [page_size, offset])
            cursor.fetchall()

        def by_keyset():
            cursor.execute(
                "SELECT * FROM auditlog_logentry WHERE id < %s ORDER BY id DESC LIMIT %s",
                [before, page_size],
            )
            cursor.fetchall()

        print(f"   SQL only, 1,000th page: OFFSET {best_ms(by_offset):6.2f} ms   keyset {best_ms(by_keyset):6.2f} ms")


def bench_seal(n):
    from audit import sealing
    from audit.models import AuditSeal, Chain

    settings.AUDIT_SEAL_GRACE_SECONDS = 0
    logging.getLogger("audit.sealing").setLevel(logging.WARNING)  # one INFO line per seal otherwise
    top = LogEntry.objects.order_by("-id").values_list("id", flat=True)[0]
    # pretend everything below the last n entries was sealed already: seal just n
    AuditSeal.objects.all().delete()
    start_id = top - n
    AuditSeal.objects.create(
        chain=Chain.LOG,
        from_id=start_id,
        to_id=start_id,
        count=1,
        algorithm="sha256",
        prev_digest="0" * 64,
        digest=sealing.fold("sha256", "0" * 64, [(start_id, b"\0" * 32)]),
        entries=sealing.pack([(start_id, b"\0" * 32)]),
        last_entry_at=timezone.now(),
        pruned_at=timezone.now(),  # not re-checked by verify
    )
    start = time.perf_counter()
    made = sealing.seal_chain(Chain.LOG)
    seal_s = time.perf_counter() - start
    start = time.perf_counter()
    report = sealing.verify_chain(Chain.LOG)
    verify_s = time.perf_counter() - start
    print(f"3. sealing {n:,} entries: {made} seals in {seal_s:.1f} s ({n / seal_s:,.0f}/s); ", end="")
    print(f"verify {verify_s:.1f} s ({n / verify_s:,.0f}/s), ok={report.ok}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--saves", type=int, default=2000)
    parser.add_argument("--seal", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()

    from django.test.utils import setup_test_environment

    setup_test_environment()  # response.context for the page check
    database_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        from clients.demo import seed_organisation
        from clients.roles import ensure_roles, sync_role_permissions

        mod = __import__("audit.migrations.0003_logentry_keyset_indexes", fromlist=["INDEXES"])
        with connection.cursor() as cursor:
            for name, cols in mod.INDEXES:
                cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON auditlog_logentry {cols}")
            # ... and without the four redundant ones that audit migration 0006 drops, so the
            # table carries the indexes a migrated database has (each one costs every write).
            dropped = __import__("audit.migrations.0006_drop_redundant_logentry_indexes", fromlist=["INDEXES"])
            for name in dropped.INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
        ensure_roles()
        sync_role_permissions()
        seed_organisation(password="bench-password-123456")
        from django.contrib.auth import get_user_model

        User = get_user_model()
        auditor = User.objects.get(username="auditor")
        users = list(User.objects.values_list("pk", flat=True))
        ct_ids = [ct.pk for ct in ContentType.objects.all()[:8]]

        bench_saves(args.saves)
        fill_log(args.entries, users, ct_ids)
        bench_pages(auditor, settings.AUDIT_PAGE_SIZE, users[1])
        if args.seal:
            bench_seal(min(args.seal, args.entries - 10))
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(database_name, verbosity=0)


if __name__ == "__main__":
    main()

"""Benchmark of the retention purge ([F]). Prints figures; asserts nothing.

    .venv/bin/python bench/purge.py [--rows 100000] [--scales 20000,100000] [--db zhaoshang_bench]

For each scale it builds that many expired contacts (enterprises of ten contacts whose only project
was terminated five years ago), each with one follow-up note and one consent event and state, in a
separate PostgreSQL database (created and migrated if missing, emptied between measurements), then:

1. baseline: a raw batched SQL DELETE of the same rows (consent states, events, follow-ups,
   contacts; 500 ids per transaction, the ledger trigger opened with SET LOCAL);
2. rebuilds the same data and runs the purge (rules "terminated-contacts" and "followup-notes",
   action delete) in a child process — the "worker" — whose peak RSS is read from rusage;
3. meanwhile requests the project list page (as the department head) in this process and
   compares its p99 with the p99 of the same page while idle.

Targets (issue 7): ≥ 5,000 rows/s; ≤ 3× the raw DELETE; worker peak RSS ≤ 200 MB and flat as rows
grow; project-list p99 while purging ≤ 1.5× idle.
"""

import argparse
import base64
import json
import os
import resource
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [
    str(ROOT),
    *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"),
]  # not bench/: its requests.py would shadow the requests package

from bench import summary  # noqa: E402


def _env(db):
    b64 = lambda n: base64.b64encode(secrets.token_bytes(n)).decode()  # noqa: E731
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("FIELD_ENCRYPTION_KEYS", f"bench1:{b64(32)}")
    os.environ.setdefault("BLIND_INDEX_KEY", b64(32))
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{db}"
    os.environ.setdefault("REDIS_URL", "")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
    os.environ.setdefault("SESSION_COOKIE_SECURE", "False")
    os.environ.setdefault("STATIC_MANIFEST", "False")
    os.environ.setdefault("REQUIRE_2FA_FOR_PRIVILEGED", "False")
    os.environ.setdefault("ZHAOSHANG_ENV_FILE", os.devnull)
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhaoshang.settings"


def _setup():
    import django

    django.setup()


# --- data ---------------------------------------------------------------------------------------


def build(rows, *, log_entries=False):
    """`rows` expired contacts with a follow-up and a consent each. Returns seconds taken.

    With `log_entries`, each contact, follow-up and consent event also gets the auditlog
    "create" entry the application would have written (bulk_create writes none), so that the
    purge has entries to redact as it would in production.
    """
    import datetime

    from django.db import transaction
    from django.utils import timezone

    from clients.models import Contact, Enterprise, FollowUp, Project
    from privacy.models import ConsentEvent, ConsentState, Purpose

    started = time.perf_counter()
    long_ago = timezone.now() - datetime.timedelta(days=5 * 365)
    purpose = Purpose.objects.filter(legal_basis="consent").first()
    per_enterprise, chunk = 10, 5000
    for offset in range(0, rows, chunk):
        n = min(chunk, rows - offset)
        with transaction.atomic():
            enterprises = Enterprise.objects.bulk_create(
                [Enterprise(name=f"基准企业{offset + i}") for i in range(0, n, per_enterprise)]
            )
            projects = Project.objects.bulk_create(
                [
                    Project(enterprise=e, title="基准项目", stage="terminated", stage_changed_at=long_ago)
                    for e in enterprises
                ]
            )
            contacts = Contact.objects.bulk_create(
                [
                    Contact(
                        enterprise=enterprises[i // per_enterprise],
                        name=f"联系人{offset + i}",
                        mobile=f"139{offset + i:08d}",
                        email=f"b{offset + i}@example.cn",
                    )
                    for i in range(n)
                ]
            )
            FollowUp.objects.bulk_create(
                [
                    FollowUp(
                        project=projects[i // per_enterprise],
                        date=long_ago.date(),
                        method="phone",
                        summary="电话沟通用地与税收政策，客户表示暂缓投资。",
                    )
                    for i in range(n)
                ]
            )
            events = ConsentEvent.objects.bulk_create(
                [
                    ConsentEvent(contact=c, purpose=purpose, action="granted", channel="system", at=long_ago)
                    for c in contacts
                ]
            )
            if log_entries:
                _log_entries(contacts, projects, events)
            ConsentState.objects.bulk_create(
                [
                    ConsentState(
                        contact_id=e.contact_id, purpose=purpose, granted=True, last_event=e, changed_at=long_ago
                    )
                    for e in events
                ]
            )
    from django.db import connection

    with connection.cursor() as cursor:  # what autovacuum would have done by 02:30
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def _log_entries(contacts, projects, events):
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from clients.models import FollowUp

    followups = FollowUp.objects.filter(project__in=projects).values_list("pk", flat=True)
    masked = ["******", "******"]
    entries = []
    for model, pks, fields in (
        (type(contacts[0]), [c.pk for c in contacts], ("name", "mobile", "email")),
        (FollowUp, list(followups), ("summary", "date")),
        (type(events[0]), [e.pk for e in events], ("action", "channel")),
    ):
        ct = ContentType.objects.get_for_model(model)
        entries += [
            LogEntry(
                content_type=ct,
                object_pk=str(pk),
                object_id=pk,
                object_repr=f"{model._meta.model_name} #{pk}",
                action=LogEntry.Action.CREATE,
                changes={name: ["None", masked[0]] for name in fields},
            )
            for pk in pks
        ]
    LogEntry.objects.bulk_create(entries, batch_size=2000)


def empty():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE privacy_consentstate, privacy_separateconsent, privacy_consentevent, clients_followup,"
            " clients_contact, clients_project, clients_enterprise, privacy_purgerunitem, privacy_purgerun,"
            " privacy_subjectkey, audit_accesssubject, audit_accessevent, auditlog_logentry, audit_redaction CASCADE"
        )


def raw_delete():
    """The baseline: the same rows removed by plain SQL in batches of 500 ids. Returns (rows, seconds)."""
    from django.db import connection, transaction

    started = time.perf_counter()
    total = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM clients_contact ORDER BY id")
        contact_ids = [r[0] for r in cursor.fetchall()]
        cursor.execute("SELECT id FROM clients_followup ORDER BY id")
        followup_ids = [r[0] for r in cursor.fetchall()]
    for i in range(0, len(contact_ids), 500):
        ids = contact_ids[i : i + 500]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL zhaoshang.purge = 'on'")
            cursor.execute("DELETE FROM privacy_consentstate WHERE contact_id = ANY(%s)", [ids])
            cursor.execute("DELETE FROM privacy_consentevent WHERE contact_id = ANY(%s)", [ids])
            cursor.execute("DELETE FROM clients_contact WHERE id = ANY(%s)", [ids])
            total += cursor.rowcount
    for i in range(0, len(followup_ids), 500):
        ids = followup_ids[i : i + 500]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM clients_followup WHERE id = ANY(%s)", [ids])
            total += cursor.rowcount
    return total, time.perf_counter() - started


def rules_for_bench():
    from privacy.models import RetentionRule

    RetentionRule.objects.update(active=False)
    RetentionRule.objects.filter(code__in=["terminated-contacts", "followup-notes"]).update(
        active=True, action="delete"
    )


# --- the worker (child process) -----------------------------------------------------------------


def _vm_kb(name):
    """VmHWM / VmRSS of this process in kB. Unlike ru_maxrss, VmHWM belongs to this process's own
    address space: ru_maxrss of a child started by fork/vfork + exec keeps the PARENT's peak (the
    kernel carries it over exec), so it grew with the data the bench process had built."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    return 0


def worker(pause_ms=None):
    from django.conf import settings

    from privacy.models import PurgeRun
    from privacy.retention.services import purge_run_create, purge_run_execute

    if pause_ms is not None:
        settings.PURGE_BATCH_PAUSE_MS = pause_ms
    start_kb = _vm_kb("VmRSS")
    run = purge_run_create(dry_run=False, trigger=PurgeRun.Trigger.COMMAND)
    started = time.perf_counter()
    run = purge_run_execute(run_id=run.pk)
    elapsed = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "processed": run.processed,
                "status": run.status,
                "errors": run.errors[:3],
                "peak_kb": _vm_kb("VmHWM"),
                "start_kb": start_kb,
                "ru_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            }
        )
    )


# --- the page under load ------------------------------------------------------------------------


def page_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    from clients.demo import seed_organisation

    seed_organisation(password="bench-password-not-secret-42")
    client = Client()
    client.force_login(get_user_model().objects.get(username="head1"))
    return client


def timed_gets(client, stop, out, *, limit=None):
    while not stop.is_set() and (limit is None or len(out) < limit):
        t = time.perf_counter()
        response = client.get("/clients/projects/")
        out.append(time.perf_counter() - t)
        assert response.status_code == 200, response.status_code


def p99(samples):
    samples = sorted(samples)
    return samples[min(len(samples) - 1, int(len(samples) * 0.99))] * 1000 if samples else float("nan")


# --- main ---------------------------------------------------------------------------------------


def measure(rows, client, *, pause_ms=None, log_entries=False):
    empty()
    rules_for_bench()
    built = build(rows, log_entries=log_entries)
    baseline_rows, baseline_s = raw_delete()
    empty()
    build(rows, log_entries=log_entries)
    timed_gets(client, threading.Event(), [], limit=20)  # warm-up: the first requests compile templates, fill caches
    idle = []
    timed_gets(client, threading.Event(), idle, limit=200)
    during, stop = [], threading.Event()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    args = [sys.executable, __file__, "--worker", "--db", os.environ["DATABASE_URL"].rsplit("/", 1)[1]]
    if pause_ms is not None:
        args += ["--pause-ms", str(pause_ms)]
    child = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
        args,
        stdout=subprocess.PIPE,
        env=os.environ.copy(),
    )
    sampler = threading.Thread(target=timed_gets, args=(client, stop, during))
    sampler.start()
    out, _err = child.communicate()
    stop.set()
    sampler.join()
    result = json.loads(out.decode().strip().splitlines()[-1])
    rss_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    purge_rows = result["processed"]
    return {
        "rows": rows,
        "build_s": round(built, 1),
        "purge_rows": purge_rows,
        "purge_s": round(result["seconds"], 2),
        "rows_per_s": round(purge_rows / result["seconds"]),
        "raw_rows": baseline_rows,
        "raw_s": round(baseline_s, 2),
        "ratio_to_raw": round(result["seconds"] / baseline_s, 2),
        "worker_peak_rss_mb": round(result["peak_kb"] / 1024, 1),
        "worker_start_rss_mb": round(result["start_kb"] / 1024, 1),
        "worker_ru_maxrss_mb (inherits the parent's peak)": round(result["ru_maxrss_kb"] / 1024, 1),
        "children_peak_rss_mb": round(max(before, rss_children) / 1024, 1),
        "log_entries": log_entries,
        "pause_ms": pause_ms,
        "p99_idle_ms": round(p99(idle), 1),
        "p99_during_ms": round(p99(during), 1),
        "p99_ratio": round(p99(during) / p99(idle), 2),
        "samples_during": len(during),
        "status": result["status"],
        "errors": result["errors"],
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="100000", help="comma-separated contact counts")
    parser.add_argument("--db", default="zhaoshang_bench")
    parser.add_argument("--worker", action="store_true")
    parser.add_argument(
        "--pause-ms", type=int, default=None, help="settings.PURGE_BATCH_PAUSE_MS for the worker (default: setting)"
    )
    parser.add_argument(
        "--log-entries",
        action="store_true",
        help="give every contact, follow-up and consent event the auditlog 'create' entry it would have",
    )
    args = parser.parse_args()
    _env(args.db)
    if args.worker:
        _setup()
        worker(args.pause_ms)
        return
    subprocess.run(["createdb", "-U", "postgres", "-h", "127.0.0.1", args.db], capture_output=True)  # noqa: S603, S607
    _setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    client = page_client()
    for rows in (int(s) for s in args.scales.split(",")):
        figures = measure(rows, client, pause_ms=args.pause_ms, log_entries=args.log_entries)
        print(json.dumps(figures, ensure_ascii=False), flush=True)
        report(figures)


def report(f):
    """The figures of one scale for `make bench`, against the targets of issue 7."""
    scale = f"{f['rows']:,} contacts"
    summary.result(
        f"purge rate, {scale}", target="≥ 5,000 rows/s", value=f"{f['rows_per_s']:,} rows/s", ok=f["rows_per_s"] >= 5000
    )
    summary.result(
        f"purge vs raw batched DELETE, {scale}",
        target="≤ 3×",
        value=f"{f['ratio_to_raw']:.2f}×",
        ok=f["ratio_to_raw"] <= 3,
    )
    summary.result(
        f"worker peak RSS, {scale}",
        target="≤ 200 MB",
        value=f"{f['worker_peak_rss_mb']:.1f} MB",
        ok=f["worker_peak_rss_mb"] <= 200,
    )
    summary.result(
        f"project list p99 during purge vs idle, {scale}",
        target="≤ 1.5×",
        value=f"{f['p99_ratio']:.2f}× ({f['p99_during_ms']} / {f['p99_idle_ms']} ms)",
        ok=f["p99_ratio"] <= 1.5,
    )


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Benchmark of data-subject requests ([H]): the copy package of a heavy history, and erasure.

    .venv/bin/python bench/requests.py [--followups 1000] [--complaints 200] [--events 20000]
                                       [--audit 20000] [--runs 3]

Runs against PostgreSQL (DATABASE_URL's server) in a throw-away database ``test_zhaoshang_h_requests``
(schema from the models), with random keys for the run. It seeds one person (encrypted) whose
enterprise's project has --followups follow-ups (encrypted notes), with --complaints complaints
they made, --events access events naming them, consents and an access request -- and a second
person with the same kind of history, who must not be in the package. Figures:

1. `privacy.requests.package.package_build` for the heavy person: best of --runs, target ≤ 3 s;
   memory growth during one build (peak RSS growth, VmHWM reset before, and the Python heap's
   peak under tracemalloc; the larger is judged), target ≤ 100 MB;
2. `contact_erase` of a person with --audit audit entries about them (half change-trail entries,
   half access events naming them), target ≤ 2 s: --runs people with the same history, each
   erased once (an erasure cannot be repeated on the same person), best of those runs.
"""

import argparse
import datetime
import secrets
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [
    str(ROOT),
    *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"),
]  # not bench/: its requests.py would shadow the requests package

from bench import environment, summary  # noqa: E402

environment.setup("zhaoshang_h_requests")

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402


def _vm(name):
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(name + ":"):
                return int(line.split()[1]) * 1024
    return 0


def _logentry_indexes_as_migrated():
    """The schema comes from the models, but django-auditlog's table gets its indexes from audit
    migrations too (0003 adds two composites, 0006 drops four redundant ones): give the bench the
    index set every migrated database has, so that the redaction's rewrites pay what they pay there."""
    import importlib

    added = importlib.import_module("audit.migrations.0003_logentry_keyset_indexes").INDEXES
    dropped = importlib.import_module("audit.migrations.0006_drop_redundant_logentry_indexes").INDEXES
    with connection.cursor() as cursor:
        for name, columns in added:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON auditlog_logentry {columns}")
        for name in dropped:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


def _setup():
    from django.contrib.auth import get_user_model

    from clients.demo import seed_organisation
    from clients.roles import ensure_roles, sync_role_permissions
    from complaints.models import ComplaintCategory, ComplaintKind
    from privacy.models import Purpose

    ensure_roles()
    sync_role_permissions()
    seed_organisation(password=secrets.token_urlsafe(16))
    User = get_user_model()
    kind = ComplaintKind.objects.create(code="complaint", name="投诉")
    category = ComplaintCategory.objects.create(code="service", name="服务态度")
    purpose = Purpose.objects.create(code="investment", name="招商联络", legal_basis="consent", categories=["contact"])
    return User.objects.get(username="officer1"), User.objects.get(username="dpo"), kind, category, purpose


def seed_person(n, *, officer, kind, category, purpose, followups, complaints, events, logs=0):
    """One person (contact n) with the history; returns (contact, request)."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from audit.models import AccessEvent, AccessSubject
    from clients.models import Contact, Enterprise, FollowUp, Project
    from complaints.models import Complaint
    from privacy.models import ConsentEvent, ConsentState, SubjectRequest

    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        enterprise = Enterprise.objects.create(
            name=f"基准企业{n}有限公司", owner=officer, department_id=officer.profile.department_id
        )
        project = Project.objects.create(
            enterprise=enterprise, title=f"基准项目{n}", stage="negotiation", owner=officer
        )
        contact = Contact.objects.create(
            enterprise=enterprise, name=f"基准联系人{n}", mobile=f"1390000{n:04d}", email=f"p{n}@bench.example.cn"
        )
        FollowUp.objects.bulk_create(
            [
                FollowUp(
                    project=project,
                    date=today - datetime.timedelta(days=i % 900),
                    method="visit",
                    summary=f"第{i}次拜访：双方就用地、厂房和人才政策交换了意见，约定下周提交补充材料。" * 2,
                    participants="王科长、李主任",
                    author=officer,
                )
                for i in range(followups)
            ],
            batch_size=1000,
        )
        Complaint.objects.bulk_create(
            [
                Complaint(
                    reference=f"TS{n:03d}{i:06d}",
                    tracking_secret_hash="0" * 64,
                    kind=kind,
                    category=category,
                    channel="selfservice",
                    status="closed",
                    complainant_name=f"基准联系人{n}",
                    complainant_phone=f"1390000{n:04d}",
                    description=f"第{i}件投诉：办事窗口排队时间过长，希望增加自助办理渠道。",
                    contact=contact,
                    enterprise=enterprise,
                    ack_due=today,
                    resolution_due=today,
                    closed_at=now,
                )
                for i in range(complaints)
            ],
            batch_size=1000,
        )
        event = ConsentEvent.objects.create(contact=contact, purpose=purpose, action="granted", channel="selfservice")
        ConsentState.objects.create(contact=contact, purpose=purpose, granted=True, last_event=event, changed_at=now)
        request = SubjectRequest.objects.create(
            contact=contact, kind="access", details="请提供我的信息副本", due_date=today
        )
        contact_type = ContentType.objects.get_for_model(Contact)
        for offset in range(0, events, 5000):
            batch = AccessEvent.objects.bulk_create(
                [
                    AccessEvent(
                        user=officer,
                        action=("view", "reveal", "export")[i % 3],
                        content_type=contact_type,
                        object_id=str(contact.pk),
                        purpose="跟进联络",
                        detail={},
                        at=now - datetime.timedelta(minutes=i),
                    )
                    for i in range(offset, min(events, offset + 5000))
                ]
            )
            AccessSubject.objects.bulk_create(
                [AccessSubject(event=e, contact_id=contact.pk, action=e.action, at=e.at) for e in batch]
            )
        LogEntry.objects.bulk_create(
            [
                LogEntry(
                    content_type=contact_type,
                    object_pk=str(contact.pk),
                    object_id=contact.pk,
                    object_repr=f"联系人 #{contact.pk}",
                    action=1,
                    changes={"position": ["经理", "总经理"], "mobile": ["***", "***"]},
                    changes_text="",
                    actor=officer,
                    timestamp=now - datetime.timedelta(seconds=i),
                )
                for i in range(logs)
            ],
            batch_size=5000,
        )
    return contact, request


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--followups", type=int, default=1000)
    parser.add_argument("--complaints", type=int, default=200)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--audit", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    database_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        import io
        import json
        import zipfile

        from privacy.requests.package import package_build, package_open
        from privacy.requests.services import contact_erase

        print(f"Seeding {database_name} …", flush=True)
        t0 = time.perf_counter()
        _logentry_indexes_as_migrated()
        officer, dpo, kind, category, purpose = _setup()
        common = {"officer": officer, "kind": kind, "category": category, "purpose": purpose}
        _heavy, request = seed_person(
            1, **common, followups=args.followups, complaints=args.complaints, events=args.events
        )
        seed_person(2, **common, followups=args.followups // 10, complaints=10, events=1000)  # someone else
        half = args.audit // 2
        erased = [
            seed_person(3 + k, **common, followups=10, complaints=0, events=half, logs=args.audit - half)[0]
            for k in range(args.runs)
        ]
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"   seeded in {time.perf_counter() - t0:.1f} s", flush=True)

        print(
            f"1. package_build: {args.followups:,} follow-ups, {args.complaints:,} complaints, "
            f"{args.events:,} access events"
        )
        package_build(subject_request=request, actor=dpo)  # warm: content types, templates, keys
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            package = package_build(subject_request=request, actor=dpo)
            times.append(time.perf_counter() - start)
        data = json.loads(zipfile.ZipFile(io.BytesIO(package_open(package))).read("data.json"))
        counts = data["counts"]
        only_them = all(row["mobile"] == "13900000001" for row in data["contact"])
        print(
            f"   runs: {', '.join(f'{t:.2f} s' for t in times)}; package {package.size / 2**20:.2f} MB; rows {counts}"
        )
        best = min(times)
        summary.result(
            f"copy package build ({args.followups:,} follow-ups, {args.complaints:,} complaints, "
            f"{args.events:,} access events)",
            target="≤ 3 s",
            value=f"{best:.2f} s best of {len(times)} ({package.size / 2**20:.2f} MB zip, encrypted)",
            ok=best <= 3.0 and only_them and counts["uses"] >= args.events,
        )
        rss_before = _vm("VmRSS")
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        tracemalloc.start()
        start = time.perf_counter()
        package_build(subject_request=request, actor=dpo)
        seconds = time.perf_counter() - start
        heap_peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        growth = max(0.0, (_vm("VmHWM") - rss_before) / 2**20)
        print(f"   under tracemalloc: {seconds:.2f} s; peak RSS growth {growth:.0f} MB, heap peak {heap_peak:.0f} MB")
        summary.result(
            "copy package memory growth",
            target="≤ 100 MB",
            value=f"RSS +{growth:.0f} MB, heap peak {heap_peak:.0f} MB",
            ok=max(growth, heap_peak) <= 100,
        )

        print(f"2. contact_erase: {args.audit:,} audit entries ({args.audit - half:,} change trail, {half:,} access)")
        times, redacted = [], []
        for person in erased:
            start = time.perf_counter()
            result = contact_erase(person, reason="基准：删除请求", actor=dpo)
            times.append(time.perf_counter() - start)
            redacted.append(result.entries_redacted)
            print(f"   {times[-1]:.2f} s; {result}")
        seconds = min(times)
        summary.result(
            f"contact_erase, {args.audit:,} audit entries",
            target="≤ 2 s",
            value=f"{seconds:.2f} s best of {len(times)} ({', '.join(f'{t:.2f}' for t in times)}; "
            f"{min(redacted):,} entries redacted each)",
            ok=seconds <= 2.0 and min(redacted) >= args.audit,
        )
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(database_name, verbosity=0)


if __name__ == "__main__":
    main()

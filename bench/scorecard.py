#!/usr/bin/env python
"""Benchmark of the PIPL scorecard page ([J]). Prints its figures.

    .venv/bin/python bench/scorecard.py [--enterprises 100000] [--contacts 200000] [--projects 100000]
                                        [--audit 1000000] [--runs 9]

Runs against PostgreSQL (DATABASE_URL's server) in a throw-away database ``test_zhaoshang_j_scorecard``
(schema from the models), with random keys for the run. Seeds the case tables with the list-page
benchmark's helper (bench/list_page.py: encrypted contacts, one data key each), then what the rows
read, with bulk SQL: consent events and states for 90 % of the contacts, --audit access events
(1 % of them out-of-scope "denied", spread over 60 days), 2,000 data-subject requests, a partner with
a signed agreement, an assessment and a share of 20,000 people, a purge run, an internal audit with
rectifications, monthly snapshots. Figures:

1. queries of /privacy/scorecard/ for the privacy officer, before the extra data is added and after:
   target ≤ 30 whatever the data size (rows use aggregates: a row's count does not depend on its
   table's size; a row with no records at all may skip a query);
2. its median time against the project list page (/clients/projects/, officer1) in the same run,
   the two requests interleaved: target ≤ 2×;
3. reported: each row's own median time (none may scan a big table).
"""

import argparse
import datetime
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [
    str(ROOT),
    *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"),
]  # not bench/: its requests.py would shadow the requests package

from bench import environment, summary  # noqa: E402

environment.setup("zhaoshang_j_scorecard")

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.list_page import seed as seed_cases  # noqa: E402  (django is set up already: its settings stay ours)


def _sql(statement, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def seed_privacy(n_audit):
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    from audit.models import AccessEvent, AuditEngagement, Finding, Rectification
    from clients.models import Contact
    from privacy.assessments.models import ImpactAssessment
    from privacy.consent.models import ConsentEvent, ConsentState, PrivacyPolicy, Purpose
    from privacy.requests.models import SubjectRequest
    from privacy.retention.models import PurgeRun
    from privacy.review.models import PolicyReview
    from privacy.scorecard.services import scorecard_snapshot_take
    from privacy.sharing.models import Agreement, DataShare, Partner, ShareSubject

    User = get_user_model()
    dpo, auditor = User.objects.get(username="dpo"), User.objects.get(username="auditor")
    officer = User.objects.get(username="officer1")
    now, today = timezone.now(), timezone.localdate()
    t0 = time.perf_counter()
    purposes = {
        "liaison": Purpose.objects.create(code="liaison", name="招商联络", legal_basis="contract", order=1),
        "policy_push": Purpose.objects.create(code="policy_push", name="政策推送", legal_basis="consent", order=2),
        "satisfaction": Purpose.objects.create(code="satisfaction", name="满意度回访", legal_basis="consent", order=3),
        "partner_sharing": Purpose.objects.create(
            code="partner_sharing",
            name="向合作园区提供",
            legal_basis="consent",
            requires_separate_consent=True,
            provides_to_others=True,
            order=4,
        ),
    }
    policy = PrivacyPolicy.objects.create(
        version="1.0",
        body_zh="……",
        effective_date=today - datetime.timedelta(days=100),
        published_at=now,
        published_by=dpo,
    )
    PolicyReview.objects.create(reviewed_by=dpo, policy=policy, next_review_date=today + datetime.timedelta(days=200))
    events, states = ConsentEvent._meta.db_table, ConsentState._meta.db_table
    for code in ("policy_push", "satisfaction"):
        pid = purposes[code].pk
        _sql(
            f"INSERT INTO {events} (contact_id, purpose_id, policy_id, action, channel, evidence,"
            " evidence_type, at, ip_hash, user_agent)"
            " SELECT id, %s, %s, 'granted', 'selfservice', '', '', %s, '', ''"
            f" FROM {Contact._meta.db_table} WHERE id %% 10 <> 0",
            [pid, policy.pk, now],
        )
        _sql(
            f"INSERT INTO {states} (contact_id, purpose_id, granted, separate, policy_id, last_event_id,"
            " changed_at, needs_renewal)"
            " SELECT contact_id, purpose_id, true, false, policy_id, id, at, false"
            f" FROM {events} WHERE purpose_id = %s",
            [pid],
        )
    print(f"   consent ledger and states for 90 % of contacts in {time.perf_counter() - t0:.1f} s", flush=True)

    t0 = time.perf_counter()
    ct = ContentType.objects.get_for_model(Contact).pk
    users = list(User.objects.values_list("pk", flat=True))
    actions = ["view"] * 60 + ["reveal"] * 20 + ["export"] * 9 + ["sign_in"] * 10 + ["denied"]
    rng = random.Random(7)
    cols = "at, user_id, action, content_type_id, object_id, purpose, row_count, detail, correlation_id, redacted"
    with connection.cursor() as cursor, cursor.copy(f"COPY {AccessEvent._meta.db_table} ({cols}) FROM STDIN") as copy:
        for i in range(n_audit):
            at = now - datetime.timedelta(seconds=rng.randrange(0, 60 * 86400))
            copy.write_row(
                (
                    at,
                    users[i % len(users)],
                    actions[i % len(actions)],
                    ct,
                    str(i % 200_000 + 1),
                    "",
                    None,
                    "{}",
                    "",
                    False,
                )
            )
    print(f"   {n_audit:,} access events ({n_audit // 100:,} denied) in {time.perf_counter() - t0:.1f} s", flush=True)

    t0 = time.perf_counter()
    contacts = list(Contact.objects.order_by("pk").values_list("pk", flat=True)[:2000])
    SubjectRequest.objects.bulk_create(
        SubjectRequest(
            contact_id=pk,
            kind="access",
            status="completed" if i % 3 else "received",
            due_date=today + datetime.timedelta(days=(i % 30) - 10),
            received_at=now - datetime.timedelta(days=20),
        )
        for i, pk in enumerate(contacts)
    )
    partner = Partner.objects.create(
        name="苏州合作园区管理委员会", kind="park", contact_person="王经理", vetting_status="approved", created_by=dpo
    )
    agreement = Agreement.objects.create(
        partner=partner,
        kind="providing",
        number="XY-0001",
        title="个人信息提供协议",
        valid_from=today - datetime.timedelta(days=30),
        valid_until=today + datetime.timedelta(days=300),
        signed_at=now,
        signed_by=dpo,
        **{
            f"term_{t}": True
            for t in (
                "purpose",
                "duration",
                "method",
                "categories",
                "protection",
                "rights_duties",
                "return_deletion",
                "no_subentrust",
            )
        },
    )
    agreement.purposes.add(purposes["partner_sharing"])
    assessment = ImpactAssessment.objects.create(
        title="向合作园区提供",
        subject_kind="partner",
        partner=partner,
        triggers=["provide"],
        description="……",
        legality="……",
        necessity="……",
        status="approved",
        approved_at=now,
        approved_by=dpo,
        next_review_date=today + datetime.timedelta(days=300),
    )
    share = DataShare.objects.create(
        partner=partner,
        agreement=agreement,
        assessment=assessment,
        purpose=purposes["partner_sharing"],
        legal_basis="consent",
        fields=["name", "mobile"],
        person_count=20_000,
        created_by=officer,
    )
    _sql(
        f"INSERT INTO {ShareSubject._meta.db_table} (share_id, contact_id) "
        f"SELECT %s, id FROM {Contact._meta.db_table} ORDER BY id LIMIT 20000",
        [share.pk],
    )
    PurgeRun.objects.create(status="succeeded", finished_at=now - datetime.timedelta(hours=5), counts={})
    engagement = AuditEngagement.objects.create(
        title="年度合规审计",
        scope="全部",
        period_start=today - datetime.timedelta(days=120),
        period_end=today - datetime.timedelta(days=30),
        lead=auditor,
        status="closed",
    )
    finding = Finding.objects.create(engagement=engagement, title="权限过宽", description="……", created_by=auditor)
    for i in range(20):
        Rectification.objects.create(
            finding=finding, action="收紧权限", owner=dpo, due_date=today + datetime.timedelta(days=i - 5)
        )
    for months in range(1, 12):
        scorecard_snapshot_take(today=(today.replace(day=1) - datetime.timedelta(days=months * 30)))
    from zhaoshang.core import tallies

    tallies.install_all()  # triggers and first counts of the tallies, as migrating installs them
    _sql("VACUUM ANALYZE")  # what autovacuum does after bulk inserts: visibility map for index-only scans
    print(
        f"   requests, partner, share of 20,000 people, audits, snapshots in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )


def queries_of(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def measure_pair(ours, theirs, runs):
    samples = ([], [])
    for client, url in (ours, theirs):
        client.get(url)
    for _ in range(runs):
        for i, (client, url) in enumerate((ours, theirs)):
            start = time.perf_counter()
            response = client.get(url)
            samples[i].append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
    return [statistics.median(s) * 1000 for s in samples]


def row_times(runs=5):
    from privacy.scorecard.base import rows

    out = []
    for entry in rows():
        entry.compute()
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            result = entry.compute()
            times.append(time.perf_counter() - start)
        out.append((entry.key, statistics.median(times) * 1000, result.level, result.value))
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=200_000)
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--audit", type=int, default=1_000_000, help="access events (audit entries)")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    database_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        print(f"Seeding {database_name} …", flush=True)
        seed_cases(args.enterprises, args.contacts, args.projects)
        from django.contrib.auth import get_user_model

        User = get_user_model()
        dpo_client, officer_client = Client(), Client()
        dpo_client.force_login(User.objects.get(username="dpo"))
        officer_client.force_login(User.objects.get(username="officer1"))
        before = queries_of(dpo_client, "/privacy/scorecard/")
        seed_privacy(args.audit)
        dpo_client.get("/privacy/scorecard/")
        after = queries_of(dpo_client, "/privacy/scorecard/")
        print(f"1. scorecard queries: {before} before the privacy data, {after} with it (target ≤ 30 at any size)")
        summary.result(
            "scorecard page queries",
            target="≤ 30 at any data size",
            value=f"{after} q (was {before} with no privacy data)",
            ok=after <= 30 and before <= 30,
        )
        ours, theirs = measure_pair(
            (dpo_client, "/privacy/scorecard/"), (officer_client, "/clients/projects/"), args.runs
        )
        ratio = ours / theirs
        print(f"2. scorecard {ours:.1f} ms vs project list {theirs:.1f} ms: {ratio:.2f}× (target ≤ 2×)")
        summary.result(
            "scorecard page vs project list",
            target="≤ 2× the project list page",
            value=f"{ratio:.2f}× ({ours:.1f} vs {theirs:.1f} ms)",
            ok=ratio <= 2,
        )
        print("3. each row (median ms, level, value)")
        for key, ms, level, value in row_times():
            print(f"   {key:18s} {ms:7.1f} ms  {level:6s} {value}")
        summary.result(
            "scorecard rows, slowest", target="", value=f"{max(ms for _k, ms, _l, _v in row_times(3)):.1f} ms", ok=None
        )
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(database_name, verbosity=0)


if __name__ == "__main__":
    main()

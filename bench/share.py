#!/usr/bin/env python
"""Benchmark of a share with a partner ([I]). Prints its figures.

    .venv/bin/python bench/share.py [--people 10000] [--runs 7]

Runs against PostgreSQL (DATABASE_URL's server) in a throw-away database ``test_zhaoshang_i_share``
(schema from the models), with random keys for the run. It builds --people contacts of officer1
(encrypted, one data key each), 90 % of them with a separate consent naming the partner, 1 % under
a restriction, and a partner with a signed agreement and an approved impact assessment. Figures:

1. eligibility: `privacy.sharing.services.share_check` for all the people (the rules, then the
   people partitioned set-based through the consent service's one check) — its number of queries
   (target ≤ 10 whatever the count; also shown for a tenth of the people) and its median time
   against a hand-written SQL join of the same conditions (scope, valid separate consent for this
   recipient, no restriction) returning the same partition, the two interleaved in the same run:
   target ≤ 3×;
2. the recipient file: the xlsx of --people rows (name, mobile, e-mail, enterprise, projects)
   written by openpyxl's write-only workbook and encrypted — peak RSS growth (VmHWM reset before
   the build) and the Python heap's peak during it (tracemalloc), the larger ≤ 200 MB; its time
   is reported;
3. reported: a whole `share_create` (record, people, one access event per person, file).
"""

import argparse
import datetime
import random
import secrets
import statistics
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

environment.setup("zhaoshang_i_share")


from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

# The hand-written baseline: the same partition as share_check's people step, in one statement —
# the officer's own enterprises (SELF scope), a valid separate consent naming the recipient, no
# active hold on the contact, its enterprise or a project of its enterprise.
BASELINE_SQL = """
WITH held AS (
    SELECT h.contact_id, coalesce(h.enterprise_id, p.enterprise_id) AS enterprise_id
    FROM privacy_legalhold h LEFT JOIN clients_project p ON p.id = h.project_id
    WHERE h.released_at IS NULL AND (h.until IS NULL OR h.until > %(now)s)
)
SELECT c.id,
       s.id IS NOT NULL AS consent,
       c.id IN (SELECT contact_id FROM held WHERE contact_id IS NOT NULL)
         OR c.enterprise_id IN (SELECT enterprise_id FROM held WHERE enterprise_id IS NOT NULL) AS held
FROM clients_contact c
JOIN clients_enterprise e ON e.id = c.enterprise_id
LEFT JOIN privacy_consentstate s
  ON s.contact_id = c.id AND s.purpose_id = %(purpose)s AND s.recipient_id = %(partner)s
 AND s.granted AND s.separate AND (s.renewal_due_at IS NULL OR s.renewal_due_at > %(now)s)
WHERE e.owner_id = %(owner)s AND c.id = ANY(%(ids)s)
"""


def baseline(purpose, partner, owner, ids):
    with connection.cursor() as cursor:
        cursor.execute(
            BASELINE_SQL,
            {"purpose": purpose.pk, "partner": partner.pk, "owner": owner.pk, "ids": ids, "now": timezone.now()},
        )
        rows = cursor.fetchall()
    eligible = sorted(pk for pk, ok, held in rows if ok and not held)
    restricted = sum(1 for _pk, _ok, held in rows if held)
    return eligible, len(rows) - len(eligible) - restricted, restricted


def seed(n_people):
    from django.contrib.auth import get_user_model

    from clients.demo import seed_organisation
    from clients.models import Contact, Enterprise, Project
    from clients.roles import ensure_roles, sync_role_permissions
    from privacy.assessments.models import ImpactAssessment
    from privacy.models import ConsentEvent, ConsentState, LegalHold, Purpose
    from privacy.sharing.models import Agreement, Partner

    ensure_roles()
    sync_role_permissions()
    seed_organisation(password=secrets.token_urlsafe(16))
    User = get_user_model()
    officer, dpo = User.objects.get(username="officer1"), User.objects.get(username="dpo")
    purpose = Purpose.objects.create(
        code="partner_sharing",
        name="向合作园区或中介机构提供",
        legal_basis="consent",
        requires_separate_consent=True,
        provides_to_others=True,
        categories=["identity", "contact", "project"],
    )
    partner = Partner.objects.create(
        name="基准合作园区管理委员会",
        kind="park",
        credit_code="11320500MB0000001A",
        contact_person="王经理",
        contact_phone="0512-66881234",
        vetting_status="approved",
    )
    today = timezone.localdate()
    assessment = ImpactAssessment.objects.create(
        title="基准评估",
        subject_kind="partner",
        partner=partner,
        triggers=["provide"],
        description="d",
        legality="l",
        necessity="n",
        residual_risk="low",
        status="approved",
        approved_at=timezone.now(),
        approved_by=dpo,
        next_review_date=today + datetime.timedelta(days=365),
    )
    assessment.purposes.set([purpose])
    agreement = Agreement.objects.create(
        partner=partner,
        kind="providing",
        number="BENCH-1",
        title="基准协议",
        categories=["identity", "contact", "project"],
        valid_from=today - datetime.timedelta(days=1),
        valid_until=today + datetime.timedelta(days=365),
        signed_at=timezone.now(),
    )
    agreement.purposes.set([purpose])
    rng = random.Random(17)
    t0 = time.perf_counter()
    per_enterprise, batch = 10, 5000
    for offset in range(0, n_people, batch):
        n = min(batch, n_people - offset)
        with transaction.atomic():
            enterprises = Enterprise.objects.bulk_create(
                [
                    Enterprise(
                        name=f"基准企业{offset + i}有限公司", owner=officer, department_id=officer.profile.department_id
                    )
                    for i in range(0, n, per_enterprise)
                ]
            )
            Project.objects.bulk_create(
                [
                    Project(enterprise=e, title=f"基准项目{e.pk}", stage="negotiation", owner=officer)
                    for e in enterprises
                ]
            )
            contacts = Contact.objects.bulk_create(
                [
                    Contact(
                        enterprise=enterprises[i // per_enterprise],
                        name=f"联系人{offset + i}",
                        mobile=f"139{offset + i:08d}",
                        email=f"s{offset + i}@bench.example.cn",
                        position="总经理",
                    )
                    for i in range(n)
                ]
            )
            consenting = [c for c in contacts if rng.random() < 0.9]
            events = ConsentEvent.objects.bulk_create(
                [
                    ConsentEvent(contact=c, purpose=purpose, recipient=partner, action="granted", channel="selfservice")
                    for c in consenting
                ]
            )
            ConsentState.objects.bulk_create(
                [
                    ConsentState(
                        contact=c,
                        purpose=purpose,
                        recipient=partner,
                        granted=True,
                        separate=True,
                        last_event=e,
                        changed_at=e.at,
                    )
                    for c, e in zip(consenting, events, strict=True)
                ]
            )
            LegalHold.objects.bulk_create(
                [
                    LegalHold(kind="restriction", contact=c, reason="基准：限制处理", placed_by=dpo)
                    for c in contacts
                    if rng.random() < 0.01
                ]
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"   {n_people:,} people (encrypted, consents, holds) in {time.perf_counter() - t0:.1f} s", flush=True)
    return officer, partner, agreement, purpose


def _vm(name):
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(name + ":"):
                return int(line.split()[1]) * 1024
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    database_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        from clients.models import Contact
        from privacy.sharing import recipient_file, services
        from zhaoshang.core.db import any_of

        print(f"Seeding {database_name} …", flush=True)
        officer, partner, agreement, purpose = seed(args.people)
        ids = list(Contact.objects.order_by("pk").values_list("pk", flat=True))
        fields = ["name", "mobile", "email", "enterprise", "projects"]

        def ours(people):
            return services.share_check(
                user=officer,
                partner=partner,
                agreement=agreement,
                purpose=purpose,
                fields=fields,
                contacts=Contact.objects.filter(any_of("pk", people)),
            )

        print("1. eligibility of the share (set-based) vs a hand-written SQL join, interleaved")
        ours(ids[:10])  # warm: permissions, content types
        counts = {}
        for label, people in (("tenth", ids[: len(ids) // 10]), ("all", ids)):
            with CaptureQueriesContext(connection) as ctx:
                check = ours(people)
            counts[label] = len(ctx.captured_queries)
            print(f"   {len(people):6,} people: {counts[label]} queries", flush=True)
        same = (check.eligible_ids, check.no_consent, check.restricted) == baseline(purpose, partner, officer, ids)
        print(
            f"   partition {'identical to' if same else 'DIFFERENT FROM'} the baseline's: "
            f"{len(check.eligible_ids):,} eligible, {check.no_consent:,} without consent, "
            f"{check.restricted:,} restricted"
        )
        samples = ([], [])
        for _ in range(args.runs):
            for i, run in enumerate((lambda: ours(ids), lambda: baseline(purpose, partner, officer, ids))):
                start = time.perf_counter()
                run()
                samples[i].append(time.perf_counter() - start)
        ms, base_ms = (statistics.median(s) * 1000 for s in samples)
        print(
            f"   share_check {ms:7.1f} ms (best {min(samples[0]) * 1000:.1f})   baseline SQL {base_ms:7.1f} ms "
            f"(best {min(samples[1]) * 1000:.1f})   ratio {ms / base_ms:.2f}× (target ≤ 3×)"
        )
        summary.result(
            f"share eligibility queries, {len(ids):,} people",
            target="≤ 10, same as for a tenth",
            value=f"{counts['all']} (tenth: {counts['tenth']})",
            ok=counts["all"] <= 10 and counts["all"] == counts["tenth"],
        )
        summary.result(
            f"share eligibility time vs hand-written SQL, {len(ids):,} people",
            target="≤ 3×, same partition",
            value=f"{ms / base_ms:.2f}× ({ms:.0f} vs {base_ms:.0f} ms){'' if same else ', DIFFERENT partition'}",
            ok=ms / base_ms <= 3 and same,
        )

        print("2. the recipient file: xlsx streamed (write-only) and encrypted")
        from privacy.sharing.models import DataShare

        holder = DataShare(
            partner=partner, agreement=agreement, purpose=purpose, legal_basis="consent", created_by=officer
        )
        holder.save()
        rss_before = _vm("VmRSS")
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")  # reset the peak (VmHWM) to the current RSS
        tracemalloc.start()
        start = time.perf_counter()
        encrypted, size = recipient_file.build_encrypted(holder, check.eligible_ids, fields)
        seconds = time.perf_counter() - start
        heap_peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        # RSS may not grow at all when the build reuses memory the seeding freed; the Python heap's
        # own peak during the build is reported beside it, and the larger of the two is judged.
        growth = max(0.0, (_vm("VmHWM") - rss_before) / 2**20)
        print(
            f"   {len(check.eligible_ids):,} rows, xlsx {size / 2**20:.1f} MB "
            f"(encrypted {encrypted.size / 2**20:.1f} MB) in {seconds:.1f} s under tracemalloc; "
            f"peak RSS growth {growth:.0f} MB, Python heap peak {heap_peak:.0f} MB (target ≤ 200 MB)"
        )
        summary.result(
            f"recipient file memory growth, {len(check.eligible_ids):,} rows",
            target="≤ 200 MB",
            value=f"RSS +{growth:.0f} MB, heap peak {heap_peak:.0f} MB ({seconds:.1f} s)",
            ok=max(growth, heap_peak) <= 200,
        )
        del encrypted

        print("3. a whole share (record, people, one access event each, file)")
        start = time.perf_counter()
        share = services.share_create(
            user=officer,
            partner=partner,
            agreement=agreement,
            purpose=purpose,
            fields=fields,
            contacts=Contact.objects.filter(any_of("pk", ids)),
            confirmed_exclusions=check.excluded,
        )
        seconds = time.perf_counter() - start
        print(f"   {share.person_count:,} people shared in {seconds:.1f} s")
        summary.result(
            f"whole share_create, {share.person_count:,} people", target="", value=f"{seconds:.1f} s", ok=None
        )
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(database_name, verbosity=0)


if __name__ == "__main__":
    main()

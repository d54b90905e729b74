#!/usr/bin/env python
"""Benchmark of the case list pages. Prints its figures.

    .venv/bin/python bench/list_page.py [--enterprises 100000] [--contacts 200000] [--projects 100000]

Runs against PostgreSQL (DATABASE_URL's server) in a throw-away database ``test_zhaoshang_c_bench``
(schema from the models, plus the trigram index of the clients migration), with random keys for the
run. Rows are written with bulk_create (contacts encrypted, one data key each). Figures, each the
median of several requests through the full Django stack (middleware, session, templates):

1. the project list page /clients/projects/ (50 rows, keyset pagination, masked contact column,
   data-scope filter) for an officer (SELF scope) and a department head (DEPARTMENT_TREE), on the
   first page and a deep page — against a plain, unscoped, unencrypted ListView (OFFSET paging)
   over the same table in the same run, the two requests interleaved; median and best of --runs.
   Target ≤ 1.5× the plain view; ≤ 12 queries on any page; no OFFSET in the scoped page's SQL.
2. a search by exact mobile (/clients/search/, blind index, scoped) next to the plain view's
   exact search on an indexed clear column (credit code) of the same size.
3. [L] the leadership dashboard (/clients/dashboard/, 领导驾驶舱 as the 分管领导 `leader`: targets
   panel with completion rates and rankings, funnel, signed investment with 到位资金 by month,
   signing ranking), unfiltered and with a quarter and department filter, over the same projects
   with signing dates, 落地 stage changes, 到资 tranches and yearly and quarterly targets for every
   department and officer — against the plain project list in the same run, interleaved.
   Target ≤ 15 queries and ≤ 1.5× the plain list.
"""

import argparse
import random
import secrets
import statistics
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [
    str(ROOT),
    *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"),
]  # not bench/: its requests.py would shadow the requests package

from bench import environment, summary  # noqa: E402

environment.setup("zhaoshang_c_bench")

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import clear_url_caches, include, path  # noqa: E402
from django.views.generic import ListView  # noqa: E402

# The same layout as the real page (base template, navigation, same columns) minus scope and masking.
PLAIN_TEMPLATE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<table class="table">'
    '{% for p in object_list %}<tr><td><a href="/clients/projects/{{ p.pk }}/">{{ p.title }}</a></td>'
    "<td>{{ p.enterprise.name }}</td><td>{{ p.get_stage_display }}</td>"
    "<td>{{ p.owner.last_name }}{{ p.owner.first_name }}</td><td>{{ p.department.name }}</td>"
    "<td>{{ p.planned_investment }}</td><td>{{ p.last_activity_at|date:'Y-m-d' }}</td></tr>"
    "{% endfor %}</table>{% endblock %}"
)


class PlainProjectList(ListView):
    """The baseline: no scope, no masking, no encryption, OFFSET paging."""

    paginate_by = 50

    def get_queryset(self):
        from clients.models import Project

        return Project.objects.select_related("enterprise", "owner", "department").order_by("-id")

    def render_to_response(self, context, **kwargs):
        from django.http import HttpResponse

        return HttpResponse(PLAIN_TEMPLATE.render(context, self.request))


# The plain search renders a full page through the same base template, as a ListView would.
PLAIN_SEARCH_TEMPLATE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<table class="table">'
    "{% for e in object_list %}<tr><td>{{ e.name }}</td><td>{{ e.credit_code }}</td>"
    "<td>{{ e.owner.last_name }}{{ e.owner.first_name }}</td><td>{{ e.department.name }}</td></tr>"
    "{% endfor %}</table>{% endblock %}"
)


class PlainEnterpriseSearch(ListView):
    paginate_by = 50

    def get_queryset(self):
        from clients.models import Enterprise

        return (
            Enterprise.objects.filter(credit_code=self.request.GET.get("q", ""))
            .select_related("owner", "department")
            .order_by("-id")
        )

    def render_to_response(self, context, **kwargs):
        from django.http import HttpResponse

        return HttpResponse(PLAIN_SEARCH_TEMPLATE.render(context, self.request))


def install_urls():
    module = types.ModuleType("bench_list_page_urls")
    module.urlpatterns = [
        path("bench/plain-projects/", PlainProjectList.as_view()),
        path("bench/plain-search/", PlainEnterpriseSearch.as_view()),
        path("", include("zhaoshang.urls")),
    ]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()


def seed(n_enterprises, n_contacts, n_projects):
    from clients.demo import seed_organisation
    from clients.models import Contact, Enterprise, Project, StaffProfile, Stage
    from clients.roles import ensure_roles, sync_role_permissions
    from clients.validators import make_credit_code

    ensure_roles()
    sync_role_permissions()
    seed_organisation(password=secrets.token_urlsafe(16))
    staff = list(
        StaffProfile.objects.filter(user__username__in=["officer1", "officer2", "officer3"]).select_related("user")
    )
    rng = random.Random(42)
    stages = [s.value for s in Stage]
    batch = 5000

    t0 = time.perf_counter()
    for start in range(0, n_enterprises, batch):
        rows = []
        for i in range(start, min(start + batch, n_enterprises)):
            owner = staff[i % len(staff)]
            rows.append(
                Enterprise(
                    name=f"基准测试企业{i:06d}有限公司",
                    credit_code=make_credit_code(f"91330100MA{i:07d}"),
                    industry="C",
                    owner=owner.user,
                    department_id=owner.department_id,
                    reported_by=owner.user,
                )
            )
        Enterprise.objects.bulk_create(rows)
    ent_ids = list(Enterprise.objects.order_by("pk").values_list("pk", "owner_id", "department_id"))
    print(f"   {n_enterprises:,} enterprises in {time.perf_counter() - t0:.1f} s", flush=True)

    t0 = time.perf_counter()
    for start in range(0, n_contacts, batch):
        rows = []
        for i in range(start, min(start + batch, n_contacts)):
            ent = ent_ids[i % len(ent_ids)]
            rows.append(
                Contact(
                    enterprise_id=ent[0],
                    name=f"联系人{i:06d}",
                    mobile=f"139{i:08d}",
                    email=f"c{i}@bench.example.cn",
                    source="client",
                    purpose="investment_liaison",
                )
            )
        Contact.objects.bulk_create(rows)
    print(f"   {n_contacts:,} contacts (encrypted, one data key each) in {time.perf_counter() - t0:.1f} s", flush=True)

    t0 = time.perf_counter()
    for start in range(0, n_projects, batch):
        rows = []
        for i in range(start, min(start + batch, n_projects)):
            ent = ent_ids[i % len(ent_ids)]
            rows.append(
                Project(
                    enterprise_id=ent[0],
                    title=f"基准项目{i:06d}",
                    industry="C",
                    stage=rng.choice(stages),
                    planned_investment=rng.randrange(100, 100000),
                    owner_id=ent[1],
                    department_id=ent[2],
                )
            )
        Project.objects.bulk_create(rows)
    print(f"   {n_projects:,} projects in {time.perf_counter() - t0:.1f} s", flush=True)
    t0 = time.perf_counter()
    seed_targets_and_funds(rng)
    print(f"   signing dates, 落地 history, 到资 tranches and targets in {time.perf_counter() - t0:.1f} s", flush=True)
    # The schema comes from the models, not the migrations: install the triggers that keep the
    # tallies (zhaoshang/core/tallies.py) and count them from the rows just written, as migrating does.
    from zhaoshang.core import tallies

    tallies.install_all()
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS enterprise_name_trgm_idx ON clients_enterprise USING gin (name gin_trgm_ops)"
        )
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would have by now: visibility map for index-only scans


def seed_targets_and_funds(rng):
    """[L] Signed and landed projects get a signing date in the last two years; landed ones a stage
    change; a third of the signed ones one to three 到资 tranches; every department and officer a
    yearly and four quarterly targets."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from clients.models import Department, FundTranche, Project, StaffProfile, Stage, StageChange, Target

    today = timezone.localdate()
    signed = list(
        Project.objects.filter(stage__in=[Stage.SIGNED, Stage.LANDED]).values_list("pk", "stage").order_by("pk")
    )
    dates = {pk: today - datetime.timedelta(days=rng.randrange(0, 730)) for pk, _stage in signed}
    rows = [Project(pk=pk, signed_at=dates[pk]) for pk, _stage in signed]
    Project.objects.bulk_update(rows, ["signed_at"], batch_size=5000)
    changes, tranches = [], []
    for pk, stage in signed:
        if stage == Stage.LANDED:
            day = min(today, dates[pk] + datetime.timedelta(days=rng.randrange(10, 120)))
            at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
            changes.append(StageChange(project_id=pk, from_stage=Stage.SIGNED, to_stage=Stage.LANDED, at=at))
        if rng.random() < 0.33:
            for _ in range(rng.randrange(1, 4)):
                day = min(today, dates[pk] + datetime.timedelta(days=rng.randrange(0, 365)))
                tranches.append(
                    FundTranche(project_id=pk, date=day, amount=Decimal(rng.randrange(10, 5000)), evidence_note="回单")
                )
    StageChange.objects.bulk_create(changes, batch_size=5000)
    FundTranche.objects.bulk_create(tranches, batch_size=5000)
    targets = []
    for quarter in (None, 1, 2, 3, 4):
        scale = 1 if quarter is None else 4
        for department_id in Department.objects.values_list("pk", flat=True):
            targets.append(
                Target(
                    year=today.year,
                    quarter=quarter,
                    department_id=department_id,
                    signed_projects=4000 // scale,
                    signed_investment=Decimal(200_000_000 // scale),
                    funds_arrived=Decimal(20_000_000 // scale),
                    landed_projects=2000 // scale,
                )
            )
        for user_id in StaffProfile.objects.values_list("user_id", flat=True):
            targets.append(
                Target(
                    year=today.year,
                    quarter=quarter,
                    officer_id=user_id,
                    signed_projects=2000 // scale,
                    signed_investment=Decimal(100_000_000 // scale),
                    funds_arrived=Decimal(10_000_000 // scale),
                    landed_projects=1000 // scale,
                )
            )
    Target.objects.bulk_create(targets)
    print(
        f"   {len(signed):,} signed/landed, {len(changes):,} landed, {len(tranches):,} tranches, {len(targets)} targets"
    )


def _report_dashboard(figure, ours, plain):
    """The figure for `make bench`: median ratio ≤ 1.5×, ≤ 15 queries."""
    (ms, _best, queries, _offset), (base_ms, _base_best, _base_q, _offset2) = ours, plain
    ratio = ms / base_ms
    summary.result(
        figure,
        target="≤ 1.5× plain project list, ≤ 15 queries",
        value=f"{ratio:.2f}× ({ms:.1f} vs {base_ms:.1f} ms), {queries} q",
        ok=ratio <= 1.5 and queries <= 15,
    )


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, params or {})
    sql = [q["sql"] for q in ctx.captured_queries]
    return len(sql), any(" OFFSET " in s for s in sql)


def measure_pair(ours, plain, runs):
    """Time two requests (client, url, params) interleaved — ours, plain, ours, plain … — so that a
    change in the machine's load (five engineers share its two cores) hits both alike. Returns, for
    each, (median ms, best ms, queries, OFFSET seen)."""
    samples = ([], [])
    for client, url, params in (ours, plain):
        client.get(url, params or {})  # warm
    for _ in range(runs):
        for i, (client, url, params) in enumerate((ours, plain)):
            start = time.perf_counter()
            response = client.get(url, params or {})
            samples[i].append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
    return [
        (statistics.median(times) * 1000, min(times) * 1000, *_queries(client, url, params))
        for times, (client, url, params) in zip(samples, (ours, plain), strict=True)
    ]


def measure(client, url, params=None, runs=15):
    client.get(url, params or {})  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, params or {})
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return (statistics.median(times) * 1000, *_queries(client, url, params))


def _ratio_line(ours, plain):
    (ms, best, queries, offset), (base_ms, base_best, base_q, _offset) = ours, plain
    return (
        f"scoped {ms:6.1f} ms (best {best:6.1f}; {queries:2d} q, OFFSET {'yes' if offset else 'no '})"
        f"   plain {base_ms:6.1f} ms (best {base_best:6.1f}; {base_q:2d} q)"
        f"   ratio median {ms / base_ms:4.2f}×, best {best / base_best:4.2f}× (target ≤ 1.5×)"
    )


def _report(figure, ours, plain):
    """The figure for `make bench`: median ratio ≤ 1.5×, ≤ 12 queries, no OFFSET."""
    (ms, _best, queries, offset), (base_ms, _base_best, _base_q, _offset) = ours, plain
    ratio = ms / base_ms
    summary.result(
        figure,
        target="≤ 1.5× plain, ≤ 12 queries, no OFFSET",
        value=f"{ratio:.2f}× ({ms:.1f} vs {base_ms:.1f} ms), {queries} q{', OFFSET' if offset else ''}",
        ok=ratio <= 1.5 and queries <= 12 and not offset,
    )


def name_search_queries(*users, runs=7):
    """The scoped company-name query alone: `name__icontains` (UPPER(name) LIKE, cannot use the trigram
    index, so it tests the name of every row in scope) vs
    `name_contains` (ILIKE id subquery on the trigram index first, then the scope). Same rows: the
    full id sets of both forms are compared, not just the first 50."""
    from clients.models import Enterprise

    for user in users:
        for text in ("基准测试企业04242", "企业0999", "有限公司", "不存在的名字"):
            base = Enterprise.objects.visible_to(user).select_related("owner", "department").order_by()
            old_qs, new_qs = base.filter(name__icontains=text), base.name_contains(text)
            timings = {}
            for label, qs in (("old", old_qs), ("new", new_qs)):
                list(qs[:50])
                samples = []
                for _ in range(runs):
                    start = time.perf_counter()
                    list(qs[:50])
                    samples.append(time.perf_counter() - start)
                timings[label] = statistics.median(samples) * 1000
            old_ids = set(old_qs.values_list("pk", flat=True))
            same = "same rows" if old_ids == set(new_qs.values_list("pk", flat=True)) else "DIFFERENT ROWS"
            print(
                f"   name query {user.username:8s} {text:12s} icontains {timings['old']:7.1f} ms"
                f" → name_contains {timings['new']:6.1f} ms   ({len(old_ids):,} matches in scope, {same})"
            )


def cursor_at(user, depth):
    from clients.models import Project

    ids = Project.objects.visible_to(user).order_by("-id").values_list("id", flat=True)
    return ids[depth - 1 : depth][0] + 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=200_000)
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15, help="timed requests of each kind per figure")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    args = parser.parse_args()

    database_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        install_urls()
        print(f"Seeding {database_name} …", flush=True)
        seed(args.enterprises, args.contacts, args.projects)
        from django.contrib.auth import get_user_model

        from clients.models import Contact, Enterprise

        User = get_user_model()
        officer, head = User.objects.get(username="officer1"), User.objects.get(username="head1")
        plain = Client()
        plain.force_login(officer)

        print("1. project list: scoped + masked + keyset vs plain ListView (median ms, queries)")
        for label, user in (("officer1 (本人)", officer), ("head1 (本部门及下属)", head)):
            client = Client()
            client.force_login(user)
            visible = __import__("clients.models", fromlist=["Project"]).Project.objects.visible_to(user).count()
            for page_label, depth in (("first page", None), ("page 600", 600 * 50)):
                params = {}
                plain_params = {}
                if depth:
                    depth = min(depth, visible - 50)
                    params = {"after": cursor_at(user, depth)}
                    plain_params = {"page": depth // 50 + 1}
                ours, base = measure_pair(
                    (client, "/clients/projects/", params), (plain, "/bench/plain-projects/", plain_params), args.runs
                )
                print(f"   {label:18s} {page_label:10s} {_ratio_line(ours, base)}   [{visible:,} rows in scope]")
                _report(f"project list, {user.username}, {page_label}", ours, base)

        print("2. exact search: mobile via blind index (scoped) vs credit code (plain, unscoped)")
        contact = Contact.objects.filter(enterprise__owner=officer).order_by("pk")[100]
        client = Client()
        client.force_login(officer)
        code = Enterprise.objects.filter(owner=officer).order_by("pk")[100].credit_code
        ours, base = measure_pair(
            (client, "/clients/search/", {"q": contact.mobile}), (plain, "/bench/plain-search/", {"q": code}), args.runs
        )
        print(f"   mobile search vs plain credit-code search: {_ratio_line(ours, base)}")
        _report("mobile search vs plain credit-code search", ours, base)
        ms, queries, _offset = measure(client, "/clients/search/", {"q": "基准测试企业04242"})
        print(f"   name search page (trigram index, scoped) {ms:6.1f} ms ({queries} q)")
        name_search_queries(officer, head)

        print("3. leadership dashboard with targets (分管领导, every department) vs plain project list")
        from clients.models import Department

        leader = User.objects.get(username="leader")
        client = Client()
        client.force_login(leader)
        from django.utils import timezone

        today = timezone.localdate()
        zs1 = Department.objects.get(code="zs1").pk
        quarter = (today.month - 1) // 3 + 1
        dashboard, plain_list = "/clients/dashboard/", "/bench/plain-projects/"
        for label, params in (
            ("this year, all departments", {}),
            ("quarter + department filter", {"year": today.year, "quarter": quarter, "department": zs1}),
        ):
            ours, base = measure_pair((client, dashboard, params), (plain, plain_list, {}), args.runs)
            print(f"   {label:28s} {_ratio_line(ours, base)}")
            _report_dashboard(f"leadership dashboard with targets, {label}", ours, base)
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(database_name, verbosity=0)


if __name__ == "__main__":
    main()

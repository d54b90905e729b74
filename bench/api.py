#!/usr/bin/env python
"""Benchmark of the REST API's project list next to the HTML project list page. Prints its figures.

    .venv/bin/python bench/api.py [--enterprises 100000] [--contacts 200000] [--projects 100000] [--runs 15]

Same throw-away database and data builder as bench/list_page.py (its `seed`), in a database of its own
(``test_zhaoshang_k_api_bench``). Three integrations act as service users with the officer (本人),
department-head (本部门及下属) and privacy-officer (全部) roles; officer1's records are handed to the
officer-role service user so that it has a realistic own book. For each, in the same run and
interleaved (ours, theirs, ours, …):

1. GET /api/v1/projects/ with its API key (scope, key check, rate limit, keyset page of 50, JSON)
   against the HTML page /clients/projects/ signed in as the same service user (same scope, same
   keyset page of 50, masked contact column, full template) — first page and a deep page
   (30,000 rows in, or as deep as the scope allows). Target: API ≤ 1.5× the HTML page.
2. The queries of an API page at depth 1, 100 and 1,000 pages (where the scope has them): the same
   number at every depth, no OFFSET. Target: constant.
"""

import argparse
import base64
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [
    str(ROOT),
    *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"),
]  # not bench/: its requests.py would shadow the requests package

from bench import list_page, summary  # noqa: E402 - list_page sets the environment and Django up

# isort: split
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

connection.settings_dict["NAME"] = "zhaoshang_k_api_bench"  # not list_page's: the two may run one after the other


def api_cursor(position):
    """DRF's cursor for "rows below this id" (what a `next` link carries)."""
    return base64.b64encode(urlencode({"p": str(position)}).encode()).decode()


def timed(client, url, params):
    start = time.perf_counter()
    response = client.get(url, params)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return elapsed


def measure_pair(ours, theirs, runs):
    """Interleaved timings of (client, url, params) pairs: [(median ms, best ms)] for each."""
    samples = ([], [])
    for client, url, params in (ours, theirs):
        timed(client, url, params)  # warm
    for _ in range(runs):
        for i, (client, url, params) in enumerate((ours, theirs)):
            samples[i].append(timed(client, url, params))
    return [(statistics.median(s) * 1000, min(s) * 1000) for s in samples]


def queries(client, url, params):
    """(queries, OFFSET seen, rows) of one request. The key's `last_used_at` stamp (one UPDATE at most
    once a minute per key) is left out: it would make the count depend on the clock, not the depth."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith('UPDATE "integrations_apikey"')]
    return len(sql), any(" OFFSET " in s for s in sql), len(response.json()["results"])


def make_integrations():
    from django.contrib.auth import get_user_model

    from clients.models import Contact, Department, Enterprise, Project, Role
    from integrations import services
    from integrations.models import Integration, Scope

    zs1 = Department.objects.get(code="zs1")
    made = {}
    for code, role in (
        ("officer", Role.Code.OFFICER),
        ("head", Role.Code.DEPARTMENT_HEAD),
        ("dpo", Role.Code.PRIVACY_OFFICER),
    ):
        integration = Integration(
            name=f"基准接入-{code}",
            code=f"bench-{code}",
            role=Role.objects.get(code=role),
            department=zs1,
            scopes=[Scope.PROJECTS_READ],
            rate_limit_per_minute=1_000_000,
        )
        services.integration_save(integration=integration)
        _key, plaintext = services.api_key_issue(integration=integration)
        made[code] = (integration.service_user, plaintext)
    officer1 = get_user_model().objects.get(username="officer1")
    own = made["officer"][0]
    Project.objects.filter(owner=officer1).update(owner=own)
    Enterprise.objects.filter(owner=officer1).update(owner=own)
    assert Contact.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return made


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
        print(f"Seeding {database_name} …", flush=True)
        list_page.seed(args.enterprises, args.contacts, args.projects)
        users = make_integrations()
        from clients.models import Project

        print("1. GET /api/v1/projects/ (key, JSON) vs the HTML page /clients/projects/ as the same user (ms)")
        depth_pages = {}
        for label, (user, key) in users.items():
            api = Client(HTTP_AUTHORIZATION=f"Api-Key {key}")
            html = Client()
            html.force_login(user)
            visible = Project.objects.visible_to(user).count()
            ids = list(Project.objects.visible_to(user).order_by("-id").values_list("id", flat=True))
            depth_pages[label] = (api, ids)
            for page_label, depth in (("first page", 0), ("deep page", min(30_000, max(visible - 50, 0)))):
                api_params, html_params = {}, {}
                if depth:
                    position = ids[depth - 1]
                    api_params, html_params = {"cursor": api_cursor(position)}, {"after": position}
                (ms, best), (html_ms, html_best) = measure_pair(
                    (api, "/api/v1/projects/", api_params), (html, "/clients/projects/", html_params), args.runs
                )
                q, offset, rows = queries(api, "/api/v1/projects/", api_params)
                ratio = ms / html_ms
                print(
                    f"   {label:8s} {page_label:10s} api {ms:6.1f} ms (best {best:6.1f}; {q} q, {rows} rows)"
                    f"   html {html_ms:6.1f} ms (best {html_best:6.1f})   ratio median {ratio:4.2f}×,"
                    f" best {best / html_best:4.2f}× (target ≤ 1.5×)   [{visible:,} in scope, {depth:,} rows deep]",
                    flush=True,
                )
                summary.result(
                    f"API project list, {label}, {page_label}",
                    target="≤ 1.5× the HTML list page, no OFFSET",
                    value=f"{ratio:.2f}× ({ms:.1f} vs {html_ms:.1f} ms), {q} q",
                    ok=ratio <= 1.5 and not offset,
                )

        print("2. queries of an API page at depth 1, 100 and 1,000 pages")
        for label, (api, ids) in depth_pages.items():
            counts = []
            for page in (1, 100, 1000):
                depth = (page - 1) * 50
                if depth and depth >= len(ids):
                    continue
                params = {"cursor": api_cursor(ids[depth - 1])} if depth else {}
                q, offset, _rows = queries(api, "/api/v1/projects/", params)
                counts.append((page, q, offset))
            steady = {q for _page, q, _o in counts}
            text = ", ".join(f"page {p}: {q} q{' OFFSET' if o else ''}" for p, q, o in counts)
            print(f"   {label:8s} {text}")
            summary.result(
                f"API project list queries by depth, {label}",
                target="same at every depth, no OFFSET",
                value=text,
                ok=len(steady) == 1 and not any(o for _p, _q, o in counts),
            )
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(database_name, verbosity=0)


if __name__ == "__main__":
    main()

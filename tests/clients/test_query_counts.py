"""List pages cost the same number of queries with 3 rows or 60 (no N+1), and deep pages use keyset."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients import services
from clients.models import Project


def _seed(officer, make_project, n):
    for _ in range(n):
        project = make_project(officer)
        services.contact_create(
            user=officer,
            enterprise=project.enterprise,
            name="测试",
            mobile="13800000000",
            source="client",
            purpose="investment_liaison",
        )
        services.followup_create(
            user=officer,
            project=project,
            date=datetime.date.today(),
            method="phone",
            summary="跟进",
            next_contact_date=datetime.date.today() - datetime.timedelta(days=1),
        )


def _count(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["project_list", "enterprise_list", "project_pool", "cockpit"])
def test_list_queries_do_not_grow_with_rows(name, officer1, make_project, client_for):
    client = client_for(officer1)
    url = reverse(f"clients:{name}")
    _seed(officer1, make_project, 3)
    _count(client, url)  # warm process-wide caches
    few = _count(client, url)
    _seed(officer1, make_project, 57)
    assert _count(client, url) == few


def test_project_list_pages_are_pinned_and_keyset(officer1, make_project, client_for, django_assert_max_num_queries):
    _seed(officer1, make_project, 60)
    client = client_for(officer1)
    url = reverse("clients:project_list")
    with django_assert_max_num_queries(12):
        first = client.get(url)
    after = first.context["next_cursor"]
    assert after and len(first.context["projects"]) == 50
    with CaptureQueriesContext(connection) as ctx:
        second = client.get(url, {"after": after})
    assert len(second.context["projects"]) == 10
    assert not any("OFFSET" in q["sql"] for q in ctx.captured_queries)
    assert {p.pk for p in first.context["projects"]}.isdisjoint(p.pk for p in second.context["projects"])
    assert Project.objects.count() == 60


def test_dashboard_queries_do_not_grow_with_rows(officer1, make_project, client_for):
    client = client_for(officer1)
    url = reverse("core:dashboard")
    _seed(officer1, make_project, 3)
    _count(client, url)  # warm process-wide caches (content types, calendars) of every panel
    few = _count(client, url)
    _seed(officer1, make_project, 30)
    assert _count(client, url) == few


def test_department_head_list_costs_no_more_queries_than_an_officer(officer1, head1, make_project, client_for):
    """The DEPARTMENT_TREE scope is a subquery of the page's statement, not queries of its own."""
    _seed(officer1, make_project, 3)
    url = reverse("clients:project_list")
    counts = {}
    for user in (officer1, head1):
        client = client_for(user)
        _count(client, url)  # warm process-wide caches
        counts[user.username] = _count(client, url)
    assert counts["head1"] == counts["officer1"]


def test_mobile_search_reads_only_the_columns_it_shows(officer1, make_project, client_for):
    _seed(officer1, make_project, 1)
    client = client_for(officer1)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("clients:search"), {"q": "13800000000"})
    assert len(response.context["contacts"]) == 1
    (sql,) = [q["sql"] for q in ctx.captured_queries if 'FROM "clients_contact"' in q["sql"]]
    selected = sql.split(" FROM ", 1)[0]
    for column in ("mobile", "email", "wechat", "id_number"):
        assert f'"clients_contact"."{column}"' not in selected
    assert not any('FROM "clients_staffprofile"' in q["sql"] for q in ctx.captured_queries)

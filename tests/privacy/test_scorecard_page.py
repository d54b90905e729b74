"""The scorecard page, its printable page and xlsx export: who may see them, how many queries the
page costs whatever the data size, the monthly snapshot and its trend."""

import datetime
import io
import json
import re

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AccessEvent
from privacy.models import ScorecardSnapshot, SubjectRequest
from privacy.scorecard import services
from privacy.scorecard.base import rows
from privacy.scorecard.tasks import take_scorecard_snapshot

pytestmark = pytest.mark.django_db

URLS = ["/privacy/scorecard/", "/privacy/scorecard/print/", "/privacy/scorecard/export.xlsx"]


@pytest.mark.parametrize("url", URLS)
def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("persona", ["officer1", "head1", "handler", "outsider"])
def test_roles_without_the_permission_get_404(client, org, url, persona):
    client.force_login(org[persona])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("persona", ["dpo", "auditor", "admin", "leader"])
def test_privacy_officer_auditor_admin_and_leadership_see_it(client, org, url, persona):
    client.force_login(org[persona])
    response = client.get(url)
    assert response.status_code == 200
    if url.endswith(".xlsx"):
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        sheet = book.worksheets[0]
        keys = [str(r.title) for r in rows()]
        titles = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True) if row and row[1]]
        assert set(keys) <= set(titles)
    else:
        html = response.content.decode()
        assert html.count("data-row=") == len(rows())


def test_the_permission_is_declared_and_given_to_officer_and_auditor(org):
    assert org["dpo"].has_perm("privacy.view_scorecard")
    assert org["auditor"].has_perm("privacy.view_scorecard")
    assert org["leader"].has_perm("privacy.view_scorecard")  # 分管领导
    assert not org["head1"].has_perm("privacy.view_scorecard")


def test_leadership_finds_the_scorecard_in_the_menu(client, org):
    client.force_login(org["leader"])
    assert 'href="/privacy/scorecard/"' in client.get("/").content.decode()


def test_drilldown_links_lead_to_pages_the_privacy_officer_can_open(client, dpo):
    client.force_login(dpo)
    html = client.get("/privacy/scorecard/").content.decode()
    links = set(re.findall(r'<td><a href="([^"]+)">', html))
    assert links
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link


def _grow(contact_factory, n):
    contacts = [contact_factory() for _ in range(n)]
    past = timezone.localdate() - datetime.timedelta(days=2)
    for contact in contacts:
        SubjectRequest.objects.create(contact=contact, kind="access", due_date=past)
    AccessEvent.objects.bulk_create(AccessEvent(action="denied") for _ in range(n * 10))


def test_the_page_query_count_does_not_grow_with_data(client, dpo, make_contact, django_assert_max_num_queries):
    client.force_login(dpo)
    client.get("/privacy/scorecard/")  # warm caches (content types, roles)
    _grow(make_contact, 2)
    with CaptureQueriesContext(connection) as small:
        client.get("/privacy/scorecard/")
    _grow(make_contact, 8)
    with django_assert_max_num_queries(30), CaptureQueriesContext(connection) as large:
        client.get("/privacy/scorecard/")
    assert len(large) == len(small)


def test_monthly_snapshot_is_one_per_month_and_drawn_as_a_trend(client, dpo):
    take_scorecard_snapshot()
    take_scorecard_snapshot()  # idempotent within the month
    assert ScorecardSnapshot.objects.count() == 1
    snapshot = ScorecardSnapshot.objects.get()
    assert set(snapshot.rows) == {r.key for r in rows()}
    services.scorecard_snapshot_take(today=timezone.localdate().replace(day=1) - datetime.timedelta(days=1))
    call_command("take_scorecard_snapshot", stdout=io.StringIO())
    assert ScorecardSnapshot.objects.count() == 2
    client.force_login(dpo)
    html = client.get("/privacy/scorecard/").content.decode()
    data = json.loads(
        re.search(r'<script id="scorecard-trend-data" type="application/json">(.*?)</script>', html).group(1)
    )
    assert len(data["labels"]) == 2
    total_rows = len(rows())
    assert all(sum(s["values"][i] for s in data["series"]) == total_rows for i in range(2))
    assert "chart.umd.min.js" in html


def test_print_page_has_no_navigation_and_every_row(client, auditor):
    client.force_login(auditor)
    html = client.get("/privacy/scorecard/print/").content.decode()
    assert html.count("data-row=") == len(rows())
    assert 'class="navbar' not in html


def test_a_failing_row_shows_no_data_not_a_500(client, dpo, monkeypatch):
    from privacy.scorecard import base

    entry = base.rows()[0]
    broken = base.Row(entry.key, entry.article, entry.title, entry.order, lambda: 1 / 0)
    monkeypatch.setitem(base._ROWS, entry.key, broken)
    client.force_login(dpo)
    response = client.get("/privacy/scorecard/")
    assert response.status_code == 200
    assert f'data-row="{entry.key}" data-level="none"' in response.content.decode()


def test_thresholds_come_from_settings(settings, client, dpo, officer1):
    AccessEvent.objects.bulk_create(AccessEvent(user=officer1, action="denied") for _ in range(3))
    from .scorecard_helpers import result_of

    assert result_of("51-out-of-scope").level == "green"
    settings.SCORECARD_THRESHOLDS = {**settings.SCORECARD_THRESHOLDS, "51-out-of-scope": (1, 3)}
    assert result_of("51-out-of-scope").level == "red"

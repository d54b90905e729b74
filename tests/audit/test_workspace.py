"""The auditor workspace: who may see it, filters, keyset paging, CSV export as an access event."""

import csv
import io

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from audit.access import record_access
from audit.models import AccessEvent
from clients.models import Department

pytestmark = pytest.mark.django_db

READ_URLS = [
    ("audit:trail", {}),
    ("audit:access", {}),
    ("audit:signins", {}),
    ("audit:anomalies", {}),
    ("audit:engagement_list", {}),
    ("audit:finding_list", {}),
    ("audit:export", {"kind": "log"}),
    ("audit:export", {"kind": "access"}),
]


@pytest.mark.parametrize("name,kwargs", READ_URLS)
@pytest.mark.parametrize(
    "persona,status",
    [("auditor", 200), ("dpo", 200), ("officer1", 404), ("head1", 404), ("handler", 404), ("outsider", 404)],
)
def test_workspace_access_matrix(client_for, org, name, kwargs, persona, status):
    response = client_for(org[persona]).get(reverse(name, kwargs=kwargs))
    assert response.status_code == status


def test_anonymous_is_sent_to_sign_in(client_for):
    response = client_for(None).get(reverse("audit:trail"))
    assert response.status_code == 302


def _departments(n):
    for i in range(n):
        Department.objects.create(name=f"分页部门{i}", code=f"page-{i}", kind="team")


def test_trail_pages_by_keyset_without_overlap(client_for, auditor, settings):
    settings.AUDIT_PAGE_SIZE = 5
    _departments(12)
    c = client_for(auditor)
    first = c.get(reverse("audit:trail"))
    ids1 = [e.id for e in first.context["rows"]]
    assert len(ids1) == 5 and ids1 == sorted(ids1, reverse=True)
    cursor = first.context["next_cursor"]
    second = c.get(reverse("audit:trail"), {"before": cursor})
    ids2 = [e.id for e in second.context["rows"]]
    assert max(ids2) < min(ids1)


def test_trail_list_query_count_is_pinned(client_for, auditor, django_assert_max_num_queries):
    _departments(30)
    c = client_for(auditor)
    c.get(reverse("audit:trail"))  # warm caches (content types)
    with django_assert_max_num_queries(12):
        response = c.get(reverse("audit:trail"))
    assert len(response.context["rows"]) >= 30


def test_trail_list_sql_has_no_offset_count_or_like(client_for, auditor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _departments(3)
    c = client_for(auditor)
    with CaptureQueriesContext(connection) as ctx:
        c.get(reverse("audit:trail"), {"before": "999999", "action": "0"})
    sql = " ".join(q["sql"].upper() for q in ctx.captured_queries if "AUDITLOG_LOGENTRY" in q["sql"].upper())
    assert "OFFSET" not in sql and "COUNT(" not in sql and " LIKE " not in sql


def test_filter_by_object_and_action(client_for, auditor):
    _departments(3)
    target = Department.objects.get(code="page-1")
    target.name = "改名"
    target.save()
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(Department)
    response = client_for(auditor).get(
        reverse("audit:trail"), {"object_type": ct.pk, "object_id": target.pk, "action": "1"}
    )
    rows = response.context["rows"]
    assert [(e.object_pk, e.action) for e in rows] == [(str(target.pk), LogEntry.Action.UPDATE)]


def test_bad_filter_shows_message_not_500(client_for, auditor):
    response = client_for(auditor).get(
        reverse("audit:trail"), {"date_from": "2026-02-01", "date_to": "2026-01-01", "object_id": "abc"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "截止日期不能早于起始日期" in body and "对象编号应为数字" in body


def test_access_trail_filters_by_user(client_for, auditor, officer1, officer2):
    record_access(officer1, AccessEvent.Action.VIEW, officer1, purpose="p")
    record_access(officer2, AccessEvent.Action.VIEW, officer2, purpose="p")
    response = client_for(auditor).get(reverse("audit:access"), {"user": officer1.pk})
    assert {e.user_id for e in response.context["rows"]} == {officer1.pk}


def test_export_is_an_access_event_and_neutralises_formulas(client_for, auditor):
    Department.objects.create(name='=HYPERLINK("http://x")', code="formula", kind="team")
    response = client_for(auditor).get(reverse("audit:export", kwargs={"kind": "log"}))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    column = rows[0].index("变更")
    changes = [r[column] for r in rows[1:]]
    assert any("HYPERLINK" in c for c in changes)
    # a cell that would start with = is prefixed; cells are never raw formulas
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows[1:] for cell in r)
    event = AccessEvent.objects.get(action=AccessEvent.Action.EXPORT, user=auditor)
    assert event.row_count == len(rows) - 1
    assert event.detail["view"] == "log"


def test_officer_cannot_export_the_trail(client_for, officer1):
    response = client_for(officer1).get(reverse("audit:export", kwargs={"kind": "log"}))
    assert response.status_code == 404
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.EXPORT).exists()


def test_nav_shows_audit_menu_to_auditor_only(client_for, auditor, officer1):
    page = reverse("audit:my_rectifications")  # any page with the base layout
    link = f'href="{reverse("audit:trail")}"'
    assert link in client_for(auditor).get(page).content.decode()
    assert link not in client_for(officer1).get(page).content.decode()

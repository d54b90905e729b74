"""The bell, the list, open / mark read, mark all read and the preferences page: own rows only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.models import Department
from zhaoshang.core.notifications import notify
from zhaoshang.core.notifications.models import Notification, NotificationPreference

pytestmark = pytest.mark.django_db


@pytest.fixture
def dept(org):
    return Department.objects.get(code="zs1")


@pytest.fixture
def mine(officer1, dept):
    (row,) = notify([officer1], "enterprise_assigned", dept, {"enterprise": 41})
    return row


@pytest.fixture
def theirs(officer2, dept):
    (row,) = notify([officer2], "enterprise_assigned", dept, {"enterprise": 42})
    return row


def _urls(row):
    return [
        ("get", reverse("notifications:list")),
        ("get", reverse("notifications:preferences")),
        ("get", reverse("notifications:open", args=[row.pk])),
        ("post", reverse("notifications:read", args=[row.pk])),
        ("post", reverse("notifications:read_all")),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, mine):
    for method, url in _urls(mine):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/account/login/" in response["Location"], url
    mine.refresh_from_db()
    assert mine.read_at is None


def test_a_user_never_reaches_another_users_notification(client_for, officer1, theirs):
    client = client_for(officer1)
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    client.post(reverse("notifications:read_all"))
    body = client.get(reverse("notifications:list")).content.decode()
    assert "#42" not in body
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_role_less_user_has_their_own_empty_list(client_for, outsider, theirs):
    response = client_for(outsider).get(reverse("notifications:list"))
    assert response.status_code == 200 and "暂无通知" in response.content.decode()


def test_list_shows_own_notifications_newest_first(client_for, officer1, dept, mine, theirs):
    notify([officer1], "project_assigned", dept, {"project": 77})
    body = client_for(officer1).get(reverse("notifications:list")).content.decode()
    assert body.index("项目 #77 已分派给您负责") < body.index("企业 #41 已分派给您负责")
    assert "企业 #42" not in body


def test_opening_a_notification_marks_it_read_and_goes_to_its_object(client_for, officer1, mine):
    response = client_for(officer1).get(reverse("notifications:open", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == reverse(
        "clients:enterprise_detail", args=[mine.object_id]
    )
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_mark_read_needs_a_post_and_answers_htmx_with_the_row_and_the_bell(client_for, officer1, dept, mine):
    notify([officer1], "project_assigned", dept, {"project": 3})
    client = client_for(officer1)
    url = reverse("notifications:read", args=[mine.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET=f"notification-{mine.pk}")
    body = response.content.decode()
    assert response.status_code == 200 and f'id="notification-{mine.pk}"' in body
    assert 'id="notification-badge"' in body and 'hx-swap-oob="true"' in body and ">1<" in body
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_mark_all_read_marks_only_own_and_returns_to_the_list(client_for, officer1, dept, mine, theirs):
    notify([officer1], "project_assigned", dept, {"project": 3})
    response = client_for(officer1).post(reverse("notifications:read_all"), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("notifications:list")
    assert not Notification.objects.filter(user=officer1, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_unread_filter_and_keyset_pages(client_for, officer1, dept):
    for n in range(35):
        notify([officer1], "project_assigned", dept, {"project": n})
    Notification.objects.filter(params__project__lt=10).update(read_at="2026-01-01T00:00:00Z")
    client = client_for(officer1)
    first = client.get(reverse("notifications:list"))
    assert len(first.context["notifications"]) == 30 and first.context["next_before"]
    second = client.get(reverse("notifications:list"), {"before": first.context["next_before"]})
    assert len(second.context["notifications"]) == 5 and second.context["next_before"] is None
    unread = client.get(reverse("notifications:list"), {"show": "unread"})
    assert len(unread.context["notifications"]) == 25
    assert client.get(reverse("notifications:list"), {"before": "x"}).status_code == 200
    fragment = client.get(reverse("notifications:list"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="notification-list")
    assert "<html" not in fragment.content.decode()


def test_list_page_queries_do_not_grow_with_rows(client_for, officer1, dept):
    client = client_for(officer1)
    url = reverse("notifications:list")
    notify([officer1], "project_assigned", dept, {"project": 1})
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(29):
        notify([officer1], "project_assigned", dept, {"project": n})
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def _badge(body):
    """The bell's badge element: its opening tag (with the class) and its text."""
    start = body.rindex("<span", 0, body.index('id="notification-badge"'))
    return body[start : body.index("</span>", start)]


def test_bell_shows_the_unread_count_with_one_query(client_for, officer1, dept):
    client = client_for(officer1)
    url = reverse("core:dashboard")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        body = client.get(url).content.decode()
    assert "d-none" in _badge(body)  # nothing unread: no figure shown
    for n in range(3):
        notify([officer1], "project_assigned", dept, {"project": n})
    with CaptureQueriesContext(connection) as after:
        body = client.get(url).content.decode()
    assert len(after.captured_queries) == len(before.captured_queries)
    assert "d-none" not in _badge(body) and ">3<" in _badge(body)
    assert len([q for q in after.captured_queries if '"core_notification"' in q["sql"]]) == 1


def test_pages_without_the_header_do_not_count(client):
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("privacy:policy"))
    assert not [q for q in ctx.captured_queries if '"core_notification"' in q["sql"]]


def test_preferences_page_saves_a_choice_and_shows_a_refusal_next_to_the_field(client_for, officer1):
    client = client_for(officer1)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "超期督办" in page and "协办申请" in page
    data = dict.fromkeys(["collaboration_request", "project_assigned"], "in_app")
    form = client.get(reverse("notifications:preferences")).context["form"]
    post = {name: field.initial for name, field in form.fields.items()} | data
    response = client.post(reverse("notifications:preferences"), post)
    assert response.status_code == 302
    stored = dict(NotificationPreference.objects.filter(user=officer1).values_list("kind", "channel"))
    assert stored == {"collaboration_request": "in_app"}  # project_assigned: in-app is its default
    refused = client.post(reverse("notifications:preferences"), post | {"complaint_escalate": "off"})
    assert refused.status_code == 200
    assert "complaint_escalate" in refused.context["form"].errors
    assert not NotificationPreference.objects.filter(user=officer1, kind="complaint_escalate").exists()


def test_admin_console_lists_notifications_read_only(client_for, admin_user, mine):
    client = client_for(admin_user)
    listing = client.get(reverse("admin:core_notification_changelist"))
    assert listing.status_code == 200 and "企业 #41 已分派给您负责" in listing.content.decode()
    assert client.get(reverse("admin:core_notification_add")).status_code == 403
    detail = client.get(reverse("admin:core_notification_change", args=[mine.pk]))
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client.get(reverse("admin:core_notificationpreference_changelist")).status_code == 200

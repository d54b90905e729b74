"""[N] Codes stored in rows are shown as labels in the reader's language: a department's kind, and the
status inside a notification, also one written before its kind stored codes (the Chinese label then)."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation

from clients.models import Department
from zhaoshang.core.notifications.kinds import get_kind
from zhaoshang.core.notifications.models import Notification

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u4e00-\u9fff]")
PARAMS = {"reference": "TS-2026-0042", "deadline": "2026-12-01"}


@pytest.mark.parametrize("stored", ["in_progress", "办理中"])
def test_a_status_param_reads_in_the_readers_language_code_or_old_chinese_label(stored):
    kind = get_kind("complaint_remind")
    with translation.override("en"):
        text = kind.render({**PARAMS, "status": stored})
    assert "In progress" in text and not CJK.search(text), text
    with translation.override("zh-hans"):
        assert "当前状态：办理中" in kind.render({**PARAMS, "status": stored})


def test_an_unknown_status_is_shown_as_stored():
    with translation.override("en"):
        assert "status: archived" in get_kind("complaint_remind").render({**PARAMS, "status": "archived"})


def test_the_notification_list_in_english_shows_old_rows_labels_in_english(client, handler):
    Notification.objects.create(
        user=handler, kind="complaint_escalate", params={**PARAMS, "overdue_days": 2, "status": "已分派"}
    )
    Notification.objects.create(user=handler, kind="complaint_remind", params={**PARAMS, "status": "returned"})
    client.force_login(handler)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/notifications/").content.decode()
    assert "status: Assigned" in page and "status: Returned" in page
    assert "已分派" not in page and "已退单" not in page


def test_department_kinds_have_labels_in_both_languages(org):
    departments = list(Department.objects.all())
    assert departments
    for department in departments:
        with translation.override("en"):
            english = department.get_kind_display()
        with translation.override("zh-hans"):
            chinese = department.get_kind_display()
        assert english != department.kind and not CJK.search(english), english
        assert CJK.search(chinese), chinese


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [("en", "Investment team", "招商组"), ("zh-hans", "招商组", "Investment team")],
)
def test_the_admin_department_list_shows_kind_labels(client, org, language, shown, hidden):
    admin = get_user_model().objects.create_superuser("root-kinds", "root@example.cn", "x-unused-4c2a")
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get("/admin/clients/department/").content.decode()
    cells = re.findall(r'<td class="field-kind">(.*?)</td>', page)
    assert cells and shown in cells and hidden not in cells and "team" not in cells
    filters = client.get("/admin/clients/department/").content.decode().split('id="changelist-filter"')[1]
    assert shown in filters

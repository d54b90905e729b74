"""The privacy officer sets up a course, records a completion on its page and a recognition on the
staff page; incident and training pages fit a 390 px phone without sideways scrolling."""

import os

import pytest
from django.utils import timezone

from privacy.incidents import services as incident_services
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SHOTS = os.environ.get("SCREENSHOT_DIR")  # e.g. /tmp/shots-j1; none: no screenshots


@pytest.fixture
def seeded(transactional_db):
    from clients.roles import ensure_roles, sync_role_permissions

    ensure_roles()
    sync_role_permissions()


def _fits(page, name):
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        if SHOTS:
            os.makedirs(SHOTS, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    page.set_viewport_size({"width": 1366, "height": 900})


def test_course_completion_recognition_and_pages_fit_phones(seeded, org, live_server, page, sign_in):
    officer = org["officer1"]
    incident_services.drill_record(
        user=org["dpo"],
        held_on=timezone.localdate(),
        scenario="联系人数据泄露桌面推演",
        participants="个保办、信息中心",
    )
    sign_in("dpo", PASSWORD)
    page.goto(f"{live_server.url}/privacy/training/")
    page.fill("#id_title", "个人信息保护基础（2026）")
    page.fill("#id_link", "https://learn.example.cn/pipl")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url("**/privacy/training/courses/*/")
    page.select_option("#id_person", str(officer.pk))
    page.fill("#id_score", "92")
    page.locator("#completion-form").get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state()
    assert (
        "张伟" in page.locator("#completions").inner_text() or "officer1" in page.locator("#completions").inner_text()
    )
    _fits(page, "training-course")

    page.goto(f"{live_server.url}/privacy/training/staff/{officer.pk}/")
    page.fill("#id_awarded_on", timezone.localdate().strftime("%Y-%m-%d"))
    page.fill("#id_title", "规范查看明文并及时报告异常")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("#recognition-count").inner_text() == "1"
    assert "培训在有效期内" in page.locator("#training-state").inner_text()
    _fits(page, "training-staff")

    for path, name in [
        ("/privacy/training/", "training-courses"),
        ("/privacy/training/coverage/", "training-coverage"),
        ("/privacy/training/partners/", "training-partners"),
        ("/privacy/training/recognitions/", "training-recognitions"),
        ("/privacy/incidents/", "incident-list"),
        ("/privacy/incidents/drills/", "incident-drills"),
        ("/privacy/incidents/new/", "incident-new"),
    ]:
        page.goto(live_server.url + path)
        _fits(page, name)

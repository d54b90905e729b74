"""The privacy officer opens an incident from an anomaly, selects the affected people from the
user's reads that day, fills in the Art. 57 notice, sends it, and the person sees it at the top of
their self-service page."""

import os

import pytest
from django.utils import timezone

from audit.access import record_access
from audit.models import Anomaly
from clients import services as client_services
from clients.validators import make_credit_code
from privacy.selfservice import services as link_services
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SHOTS = os.environ.get("SCREENSHOT_DIR")  # e.g. /tmp/shots-j1; none: no screenshots


@pytest.fixture
def seeded(transactional_db):
    import importlib

    from django.apps import apps

    from clients.roles import ensure_roles, sync_role_permissions

    ensure_roles()
    sync_role_permissions()
    importlib.import_module("privacy.migrations.0003_seed_purposes_policy_ledger_guard").seed(apps, None)


def _shot(page, name):
    if not SHOTS:
        return
    os.makedirs(SHOTS, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_incident_from_anomaly_to_the_persons_page(seeded, org, live_server, page, sign_in, settings):
    settings.SMS_BACKEND = "privacy.sms.LocmemSmsBackend"
    officer = org["officer1"]
    enterprise = client_services.enterprise_create(
        user=officer, name="事件测试企业有限公司", credit_code=make_credit_code("91330100MC0000077"), industry="C"
    )
    contact = client_services.contact_create(user=officer, enterprise=enterprise, name="王五", mobile="13900002222")
    record_access(officer, "reveal", contact, purpose="call", subject_ids=[contact.pk])
    anomaly = Anomaly.objects.create(kind="off_hours", user=officer, day=timezone.localdate(), count=1, detail={})

    sign_in("dpo", PASSWORD)
    page.goto(f"{live_server.url}/audit/anomalies/")
    page.get_by_role("link", name="发起安全事件").first.click()
    assert f"#{anomaly.pk}" in page.locator("#from-anomaly").inner_text()
    _shot(page, "incident-form")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url("**/privacy/incidents/*/")
    page.locator("#people-form").get_by_role("button").click()  # the user's reads that day, pre-filled
    page.wait_for_load_state()
    assert page.locator("#affected-count").inner_text() == "1"

    notice = page.locator("#notice-form")
    notice.locator("#id_notice_data_kinds").fill("姓名、手机号")
    notice.locator("#id_notice_cause").fill("账号在非工作时间被他人使用")
    notice.locator("#id_notice_harm").fill("可能接到冒充招商局的电话")
    notice.locator("#id_notice_measures").fill("已停用该账号")
    notice.locator("#id_notice_advice").fill("请勿向来电者透露验证码")
    notice.locator("#id_notice_contact").fill("个人信息保护负责人 0571-12345678")
    notice.get_by_role("button", name="保存告知内容").click()
    page.wait_for_load_state()
    assert page.locator("#notice-problems").count() == 0
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("#send-notice").click()
    page.wait_for_load_state()
    assert "已在 1 人的自助页面发布告知" in page.content()
    _shot(page, "incident-detail")
    page.goto(f"{live_server.url}/privacy/incidents/")
    _shot(page, "incident-list")

    page.context.clear_cookies()
    page.goto(live_server.url + link_services.selfservice_link(contact))
    box = page.locator("[data-incident-notice]")
    assert "请勿向来电者透露验证码" in box.inner_text() and "个人信息安全事件告知" in box.inner_text()
    _shot(page, "selfservice-notice")

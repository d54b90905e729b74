"""[H] A person asks from their self-service page for a portable copy, enters the code, the privacy
officer assigns and completes it; the package is built (the Celery task runs at once here, there is
no worker); the person downloads the zip from the request page and its data.json has their mobile.
"""

import json
import zipfile

import pytest
from playwright.sync_api import expect

from clients import services as client_services
from clients.validators import make_credit_code
from privacy.requests.models import SubjectRequest
from privacy.selfservice import services as link_services
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def seeded(transactional_db):
    import importlib

    from django.apps import apps

    from clients.roles import ensure_roles, sync_role_permissions

    ensure_roles()
    sync_role_permissions()
    importlib.import_module("privacy.migrations.0003_seed_purposes_policy_ledger_guard").seed(apps, None)


@pytest.fixture
def no_worker(monkeypatch):
    # no worker in this test: run the task at once
    monkeypatch.setattr("zhaoshang.core.tasks.enqueue", lambda task, *ids, **kw: task(*ids))


def test_portability_request_from_the_page_to_the_answer(seeded, org, live_server, page, sign_in, settings, no_worker):
    from privacy.sms import LocmemSmsBackend

    settings.SMS_BACKEND = "privacy.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    officer = org["officer1"]
    enterprise = client_services.enterprise_create(
        user=officer, name="权利请求浏览器测试有限公司", credit_code=make_credit_code("91330100MC0000071"), industry="C"
    )
    contact = client_services.contact_create(
        user=officer, enterprise=enterprise, name="王五", mobile="13900007777", email="w5@example.cn"
    )
    page.goto(live_server.url + link_services.selfservice_link(contact))
    page.locator('#requests a[data-kind="portability"]').click()
    page.get_by_role("button", name="提交请求").click()
    expect(page.locator("#code")).to_be_visible()
    number, text = LocmemSmsBackend.outbox[-1]
    assert number == "13900007777"
    code = "".join(ch for ch in text.split("：", 1)[1] if ch.isdigit())[:6]
    page.fill("#id_code", code)
    page.get_by_role("button", name="确认").click()
    expect(page.locator("#status")).to_have_text("已收到")
    req = SubjectRequest.objects.get(contact=contact)

    page.context.clear_cookies()
    sign_in("dpo", PASSWORD)
    page.goto(f"{live_server.url}/privacy/requests/")
    page.locator(f'a[href="/privacy/requests/{req.pk}/"]').first.click()
    assign = page.locator('form[data-action="assign"]')
    assign.locator("select").select_option(str(org["dpo"].pk))
    assign.get_by_role("button").click()
    expect(page.locator("#status")).to_have_text("处理中")
    complete = page.locator('form[data-action="complete"]')
    complete.locator("textarea").fill("您的个人信息副本已生成，请在自助页面下载。")
    page.once("dialog", lambda dialog: dialog.accept())
    complete.get_by_role("button").click()
    expect(page.locator("#status")).to_have_text("已完成")
    assert req.packages.count() == 1

    page.context.clear_cookies()
    page.goto(live_server.url + link_services.selfservice_link(contact) + f"request/{req.pk}/")
    expect(page.locator("#status")).to_have_text("已完成")
    expect(page.locator("#outcome")).to_contain_text("副本已生成")
    with page.expect_download() as info:
        page.locator("#package a").click()
    data = json.loads(zipfile.ZipFile(info.value.path()).read("data.json"))
    assert data["contact"][0]["mobile"] == "13900007777"

"""A client opens their self-service link, withdraws 政策推送, and staff see the event."""

import pytest
from playwright.sync_api import expect

from clients import services as client_services
from clients.validators import make_credit_code
from privacy.consent import services
from privacy.models import Channel
from privacy.selfservice import services as link_services
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def seeded(transactional_db):
    """A transactional test's flush empties data-migration rows: put roles, purposes and policy back."""
    import importlib

    from django.apps import apps

    from clients.roles import ensure_roles, sync_role_permissions

    ensure_roles()
    sync_role_permissions()
    importlib.import_module("privacy.migrations.0003_seed_purposes_policy_ledger_guard").seed(apps, None)


def test_client_withdraws_policy_push_and_staff_see_it(seeded, org, live_server, page, sign_in):
    officer = org["officer1"]
    enterprise = client_services.enterprise_create(
        user=officer, name="浏览器测试企业有限公司", credit_code=make_credit_code("91330100MC0000001"), industry="C"
    )
    contact = client_services.contact_create(
        user=officer, enterprise=enterprise, name="李四", mobile="13900001111", email="li4@example.cn"
    )
    services.consent_grant(contact=contact, purpose="policy_push", channel=Channel.ONSITE, actor=officer)
    path = link_services.selfservice_link(contact)

    page.goto(live_server.url + path)
    row = page.locator('#purposes tr[data-purpose="policy_push"]')
    assert "已同意" in row.locator(".state").inner_text()
    row.get_by_role("button", name="撤回同意").click()
    page.wait_for_load_state()
    row = page.locator('#purposes tr[data-purpose="policy_push"]')
    assert "已撤回" in row.locator(".state").inner_text()
    assert "撤回" in page.locator("#history").inner_text()

    page.context.clear_cookies()
    sign_in("officer1", PASSWORD)
    page.goto(f"{live_server.url}/clients/contacts/{contact.pk}/")
    state = page.locator('#consent-states tr[data-purpose="policy_push"] .consent-state').inner_text()
    assert "已撤回" in state
    history = page.locator("#consent-history tbody tr").first.inner_text()
    assert "撤回" in history and "自助页面" in history and "本人" in history


def test_client_switches_the_page_to_english_and_stays_on_it(seeded, org, live_server, page):
    officer = org["officer1"]
    enterprise = client_services.enterprise_create(
        user=officer, name="浏览器语言测试企业有限公司", credit_code=make_credit_code("91330100MC0000002"), industry="C"
    )
    contact = client_services.contact_create(user=officer, enterprise=enterprise, name="赵六", mobile="13900002222")
    path = link_services.selfservice_link(contact)

    page.goto(live_server.url + path)
    assert path.split("/")[2] not in page.content()  # the token is only in the address bar
    # The URL does not change (set_language redirects back to it): wait for the English page itself.
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    expect(page.locator("h1")).to_contain_text("Your personal information and consents")
    assert page.url == live_server.url + path
    assert page.locator("html").get_attribute("lang") == "en"

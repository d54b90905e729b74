"""Refusals answered to an htmx request are shown, not dropped: the reveal button's 400 (no purpose),
403 (legal hold) and 429 (daily limit), and a whole error page (404) in the page's alert region."""

import pytest
from playwright.sync_api import expect

from clients import services
from clients.validators import make_credit_code
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def contact(org):
    officer = org["officer1"]
    enterprise = services.enterprise_create(
        user=officer, name="拒绝提示测试有限公司", credit_code=make_credit_code("91330100MD0000001"), industry="C"
    )
    return services.contact_create(user=officer, enterprise=enterprise, name="赵六", mobile="13700001234")


def _open(page, live_server, contact):
    page.goto(f"{live_server.url}/clients/contacts/{contact.pk}/")
    return page.locator("#reveal-mobile")


def test_reveal_without_purpose_shows_the_400_message(org, contact, sign_in, live_server):
    page = sign_in("officer1", PASSWORD)
    cell = _open(page, live_server, contact)
    page.click("#reveal-mobile + td button")
    expect(cell).to_contain_text("请选择查看用途")
    expect(cell).not_to_contain_text("13700001234")


def test_reveal_under_legal_hold_shows_the_403_message(org, contact, sign_in, live_server):
    from privacy.models import LegalHold

    LegalHold.objects.create(contact=contact, reason="诉讼保全", placed_by=org["dpo"])
    page = sign_in("officer1", PASSWORD)
    cell = _open(page, live_server, contact)
    page.select_option("#reveal-purpose", "call")
    page.click("#reveal-mobile + td button")
    expect(cell).to_contain_text("法律保全")
    expect(cell).not_to_contain_text("13700001234")


def test_reveal_over_the_daily_limit_shows_the_429_message(org, contact, sign_in, live_server, settings):
    settings.REVEAL_DAILY_LIMIT = 1
    page = sign_in("officer1", PASSWORD)
    cell = _open(page, live_server, contact)
    page.select_option("#reveal-purpose", "call")
    page.click("#reveal-mobile + td button")
    expect(cell).to_contain_text("13700001234")
    page.reload()
    page.select_option("#reveal-purpose", "call")
    page.click("#reveal-mobile + td button")
    expect(cell).to_contain_text("已达上限")


def test_a_whole_error_page_puts_its_message_in_the_alert_region(org, contact, sign_in, live_server):
    page = sign_in("officer2", PASSWORD)  # another department: the contact is out of scope (404)
    page.goto(f"{live_server.url}/clients/projects/")
    region = page.locator("#htmx-error")
    expect(region).to_be_hidden()
    page.evaluate(
        "url => htmx.ajax('POST', url, {target: 'main', swap: 'innerHTML'})",
        f"/clients/contacts/{contact.pk}/reveal/mobile/",
    )
    expect(region).to_be_visible()
    expect(region).to_contain_text("不在您的数据范围内")

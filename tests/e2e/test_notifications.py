"""The bell: an officer sees the unread count, marks one read in place (htmx) and opens another."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_officer_reads_notifications_from_the_bell(org, sign_in, live_server):
    from clients import services
    from clients.validators import make_credit_code
    from zhaoshang.core.notifications import notify

    officer1 = org["officer1"]
    enterprises = [
        services.enterprise_create(
            user=officer1,
            name=f"铃铛测试企业{n}有限公司",
            credit_code=make_credit_code(f"91330100MD{n:07d}"),
            industry="C",
        )
        for n in (1, 2, 3)
    ]
    for enterprise in enterprises:
        notify([officer1], "enterprise_assigned", enterprise, {"enterprise": enterprise.pk})

    page = sign_in("officer1", PASSWORD)
    badge = page.locator("#notification-badge")
    assert badge.inner_text().startswith("3")
    page.click("a[href='/notifications/']")
    page.wait_for_url(f"{live_server.url}/notifications/")
    assert page.locator(".notification-unread").count() == 3

    page.locator(".notification-unread form button").first.click()  # htmx: the row and the bell swap
    expect(page.locator(".notification-unread")).to_have_count(2)
    expect(badge).to_contain_text("2")
    assert page.url == f"{live_server.url}/notifications/"  # no page load

    page.locator(".notification-unread a").first.click()  # newest first; the third was just read
    page.wait_for_url(f"{live_server.url}/clients/enterprises/{enterprises[1].pk}/")
    assert "铃铛测试企业2有限公司" in page.locator("h1").first.inner_text()
    page.goto(f"{live_server.url}/notifications/?show=unread")
    assert page.locator(".notification-unread").count() == 1

"""A member of the public files a complaint, follows it by its tracking link and rates the reply."""

import pytest

from clients.models import Department
from complaints import services
from complaints.models import Complaint

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_public_complaint_is_tracked_acknowledged_and_rated(org, live_server, page):
    page.goto(f"{live_server.url}/complaints/new/")
    page.select_option("#id_kind", label="投诉")
    page.select_option("#id_category", label="政策落实不到位")
    page.fill("#id_description", "入驻时承诺的人才公寓一直没有安排，请尽快落实。")
    page.check("#id_consent")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/complaints/new/done/")
    reference = page.locator("#reference").inner_text()
    link = page.locator("#tracking-link").get_attribute("href")
    assert reference.startswith("TS-")

    page.goto(link)
    assert page.locator("#status").inner_text() == "已受理"
    assert "待确认" in page.locator("#acknowledged").inner_text()

    # A handler acts (through the services, as the staff pages do).
    complaint = Complaint.objects.get(reference=reference)
    dept = Department.objects.get(code="zs1")
    services.complaint_assign(complaint=complaint, actor=org["handler"], department=dept, handler=org["officer1"])
    page.reload()
    assert page.locator("#status").inner_text() == "已分派"
    assert "已确认受理" in page.locator("#acknowledged").inner_text()

    services.complaint_start(complaint=complaint, actor=org["officer1"])
    services.complaint_reply(complaint=complaint, actor=org["officer1"], text="人才公寓已安排，下周可入住。")
    page.reload()
    assert "人才公寓已安排" in page.locator("#timeline").inner_text()
    page.check("input[name=rating][value='5']")
    page.click("#rating-form button[type=submit]")
    page.wait_for_selector("#rated")
    complaint.refresh_from_db()
    assert complaint.satisfaction == 5
    assert complaint.status == "followed_up"

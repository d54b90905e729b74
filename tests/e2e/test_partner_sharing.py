"""The privacy officer registers a partner, an impact assessment (risks, mitigation, approval) and a
signed agreement in the browser; an officer shares a selection of people with the partner; the
recipient file opens in openpyxl with exactly the chosen fields; the people see the share on their
self-service page.

With SCREENSHOT_DIR set, the pages are also saved at 1280 and 390 px wide (for review).
"""

import datetime
import os
import re
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = os.environ.get("SCREENSHOT_DIR")


def _shoot(page, name, within="html"):
    """Save the page at 1280 and 390 px; `within` (a selector) must not be wider than the screen."""
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
        overflow = page.evaluate(
            "(sel) => [...document.querySelectorAll(sel)].some(e => e.getBoundingClientRect().right > "
            "document.documentElement.clientWidth + 1 || e.scrollWidth > e.clientWidth + 1)",
            within,
        )
        assert not overflow, f"{name} scrolls sideways at {width} px"
    page.set_viewport_size({"width": 1366, "height": 900})


def test_privacy_officer_sets_up_a_partner_and_an_officer_shares_a_selection(
    org, sign_in, live_server, page, make_contacts, tmp_path
):
    page.set_default_timeout(20000)
    today = datetime.date.today()
    page = sign_in("dpo", PASSWORD)

    # the partner
    page.goto(f"{live_server.url}/privacy/partners/new/")
    page.fill("#id_name", "苏州示范合作园区管理委员会")
    page.select_option("#id_kind", "park")
    page.fill("#id_credit_code", "11320500MB0000001A")
    page.fill("#id_contact_person", "王主任")
    page.fill("#id_contact_phone", "0512-66000000")
    page.fill("#id_contact_email", "invest@park.example.cn")
    page.fill("#id_security_measures", "加密传输，专人管理。")
    _shoot(page, "partner-form-dpo")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/privacy/partners/\d+/$"))
    partner_url = page.url
    page.select_option("#id_status", "approved")
    page.get_by_role("button", name="记录审查结论").click()
    page.wait_for_url(partner_url)
    assert "审查通过" in page.locator("h1").inner_text()
    _shoot(page, "partner-detail-dpo")

    # the impact assessment, approved
    page.get_by_role("link", name="新建影响评估").click()
    page.wait_for_url("**/privacy/assessments/new/?partner=*")
    page.fill("#id_title", "向苏州示范合作园区提供项目联系人信息")
    page.check("input[name=purposes][value='{}']".format(org["purpose_ids"]["partner_sharing"]))
    page.check("input[name=triggers][value=provide]")
    page.fill("#id_description", "经单独同意，提供联系人姓名、手机号，用于协助项目选址。")
    page.fill("#id_legality", "取得个人单独同意（第二十三条）。")
    page.fill("#id_necessity", "仅提供必要字段。")
    page.select_option("#id_residual_risk", "low")
    _shoot(page, "assessment-form-dpo")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/privacy/assessments/\d+/$"))
    assessment_url = page.url
    page.fill("#id_title", "接收方超范围使用")
    page.select_option("#id_likelihood", "3")
    page.select_option("#id_impact", "4")
    page.get_by_role("button", name="登记风险").click()
    page.wait_for_url(f"{assessment_url}#risks")
    page.select_option("#id_risk", index=1)
    page.fill("#id_action", "协议约定用途并每年评估")
    page.select_option("#id_owner", index=1)
    page.fill("#id_due_date", (today + datetime.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="添加措施").click()
    page.wait_for_url(f"{assessment_url}#risks")
    assert page.locator('#risk-matrix td[data-likelihood="3"][data-impact="4"]').inner_text().endswith("R1")
    page.click("#approve-button")
    page.wait_for_url(assessment_url)
    assert "已批准" in page.locator("#assessment-status").inner_text()
    _shoot(page, "assessment-detail-dpo")
    page.goto(f"{assessment_url}print/")
    _shoot(page, "assessment-print-dpo")

    # the agreement, signed
    page.goto(partner_url)
    page.get_by_role("link", name="登记协议").click()
    page.select_option("#id_kind", "providing")
    page.fill("#id_number", "HZ-2026-009")
    page.fill("#id_title", "项目联系人信息提供协议")
    page.check("input[name=purposes][value='{}']".format(org["purpose_ids"]["partner_sharing"]))
    for category in ("identity", "contact"):
        page.check(f"input[name=categories][value={category}]")
    page.fill("#id_processing_method", "加密传输，仅用于协助项目选址")
    page.fill("#id_valid_from", (today - datetime.timedelta(days=1)).isoformat())
    page.fill("#id_valid_until", (today + datetime.timedelta(days=365)).isoformat())
    for term in page.locator("fieldset input[type=checkbox]").all():
        term.check()
    _shoot(page, "agreement-form-dpo")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/privacy/agreements/\d+/$"))
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.set_input_files("#id_signed_file", str(signed))
    page.get_by_role("button", name="登记签署").click()
    page.wait_for_load_state()
    assert page.locator("#agreement-status").inner_text() == "有效"
    _shoot(page, "agreement-detail-dpo")
    for name in ("partners", "agreements", "assessments", "shares"):
        page.goto(f"{live_server.url}/privacy/{name}/")
        _shoot(page, f"{name}-list-dpo")

    # three people consent to this recipient (their own step on the self-service page)
    people = make_contacts(3)

    # an officer shares two of them: name and mobile only
    page.context.clear_cookies()
    page = sign_in("officer1", PASSWORD)
    page.goto(f"{live_server.url}/privacy/shares/new/")
    page.select_option("#id_partner", label="苏州示范合作园区管理委员会")
    page.select_option("#id_agreement", index=1)
    page.select_option("#id_purpose", label="向合作园区或中介机构提供")
    page.check("input[name=fields][value=name]")
    page.check("input[name=fields][value=mobile]")
    for person in people[:2]:
        page.check(f"#person-{person.pk}")
    page.click("#share-check-button")
    page.wait_for_selector("#share-check")
    assert "符合条件：2 人" in page.locator("#eligible-count").inner_text()
    _shoot(page, "share-preview-officer1")
    page.click("#share-confirm")
    page.wait_for_url(re.compile(r".*/privacy/shares/\d+/$"))
    assert page.locator("#share-count").inner_text() == "2"
    _shoot(page, "share-detail-officer1")
    with page.expect_download() as download_info:
        page.click("#share-download")
    saved = tmp_path / "recipient.xlsx"
    download_info.value.save_as(saved)
    assert download_info.value.suggested_filename.endswith(".xlsx")
    rows = list(openpyxl.load_workbook(saved).active.iter_rows(values_only=True))
    assert rows[0] == ("姓名", "手机号")
    assert sorted(r[1] for r in rows[1:]) == sorted(str(p.mobile) for p in people[:2])
    page.goto(page.url)
    assert "已下载" in page.locator("#share-file-status").inner_text()
    page.goto(f"{live_server.url}/privacy/shares/")
    _shoot(page, "shares-list-officer1")

    # the people shared see it on their self-service page; the third does not
    from privacy.selfservice import services as links

    page.context.clear_cookies()
    page.goto(live_server.url + links.selfservice_link(people[0]))
    assert "苏州示范合作园区管理委员会" in page.locator("#uses").inner_text()
    _shoot(page, "selfservice-shared-with", within="#purposes, #uses")  # the frame's header is [N]'s
    page.goto(live_server.url + links.selfservice_link(people[2]))
    assert "您的信息未向任何第三方提供。" in page.locator("#uses").inner_text()
    page.locator("form:has(input[name=recipient]) button[value=withdraw]").click()
    page.wait_for_load_state()
    page.locator("form:has(input[name=recipient]) button[value=grant]").click()
    page.wait_for_url("**/separate/partner_sharing/*/")
    assert "0512-66000000" in page.locator("#recipient-contact").inner_text()
    _shoot(page, "selfservice-separate-recipient", within="main")


@pytest.fixture
def make_contacts(org):
    """`make_contacts(n)`: officer1's contacts, each with a separate consent to the only recipient."""

    def _make(n):
        from clients import services as client_services
        from clients.validators import make_credit_code
        from privacy.consent import services as consent
        from privacy.models import Channel, Purpose

        purpose = Purpose.objects.get(code="partner_sharing")
        recipient = consent.purpose_recipients(purpose).get()
        enterprise = client_services.enterprise_create(
            user=org["officer1"],
            name="示范共享测试企业有限公司",
            credit_code=make_credit_code("91330100MB0000901"),
            industry="C",
        )
        people = []
        for i in range(n):
            person = client_services.contact_create(
                user=org["officer1"], enterprise=enterprise, name=f"共享测试{i}", mobile=f"1390000{i:04d}"
            )
            consent.consent_grant(
                contact=person,
                purpose=purpose,
                channel=Channel.SELFSERVICE,
                separate=consent.separate_details(purpose, recipient=recipient),
                recipient=recipient,
            )
            people.append(person)
        return people

    return _make


@pytest.fixture
def org(org):
    from privacy.models import Purpose

    org["purpose_ids"] = dict(Purpose.objects.values_list("code", "pk"))
    return org

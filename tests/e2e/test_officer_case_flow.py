"""An officer works a case end to end in the browser: 报备 an enterprise, add a contact, open a project,
record a follow-up, move it to 洽谈, and find it on the dashboard."""

import datetime

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_officer_case_flow(org, sign_in, live_server):
    page = sign_in("officer1", PASSWORD)

    page.goto(f"{live_server.url}/clients/enterprises/new/")
    page.fill("#id_name", "浙江星河智造科技有限公司")
    page.fill("#id_credit_code", "91350100M000100Y43")
    page.select_option("#id_industry", "C")
    page.fill("#id_region", "杭州市")
    page.fill("#id_registered_capital", "5000")
    page.click("main button[type=submit]")
    page.wait_for_url("**/clients/enterprises/*/")
    assert page.locator("h1").inner_text() == "浙江星河智造科技有限公司"

    page.click("text=添加联系人")
    page.fill("#id_name", "林一凡")
    page.fill("#id_mobile", "13812345678")
    page.select_option("#id_source", "client")
    page.click("main button[type=submit]")
    page.wait_for_url("**/clients/contacts/*/")
    assert "138****5678" in page.content()
    assert "13812345678" not in page.content()

    page.click("text=浙江星河智造科技有限公司")
    page.click("text=新建项目")
    page.fill("#id_title", "星河智造华东基地")
    page.fill("#id_planned_investment", "120000")
    page.click("main button[type=submit]")
    page.wait_for_url("**/clients/projects/*/")

    page.click("text=记录跟进")
    page.fill("#id_date", datetime.date.today().isoformat())
    page.select_option("#id_method", "visit")
    page.fill("#id_summary", "上门拜访，企业关注用地指标与人才政策。")
    page.click("main button[type=submit]")
    page.wait_for_url("**/clients/projects/*/")
    assert "企业关注用地指标" in page.content()

    page.select_option("#id_stage", "negotiation")
    page.click("#stage-submit")
    page.wait_for_url("**/clients/projects/*/")
    assert page.locator("#project-stage").inner_text() == "洽谈"

    page.goto(f"{live_server.url}/")
    my_projects = page.locator("#panel-my-projects")
    assert "星河智造华东基地" in my_projects.inner_text()
    assert "洽谈" in my_projects.inner_text()
    # The team funnel is the department head's panel ([N] dashboards per role): head1 leads 招商一局.
    page.context.clear_cookies()
    page = sign_in("head1", PASSWORD)
    assert page.locator('#panel-funnel [data-stage="negotiation"]').inner_text() == "1"
    # Chart.js drew the funnel from its json_script data (no inline script under CSP).
    page.wait_for_function("document.querySelector('#panel-funnel canvas').dataset.drawn === '1'")

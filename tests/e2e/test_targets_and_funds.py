"""[L] In the browser: a head sets a 考核 target on the page and finds its progress bar on the
dashboard; an officer records 到资 on a project page; the leader filters the cockpit. The new pages
fit a 390 px phone. Screenshots go to $ZH_SHOTS_DIR when it is set (never into the repository)."""

import datetime
import os
from decimal import Decimal

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _shot(page, name):
    folder = os.environ.get("ZH_SHOTS_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _signed_project(owner):
    from clients import services
    from clients.models import Project, Stage
    from clients.validators import make_credit_code

    enterprise = services.enterprise_create(
        user=owner, name="浙江星河智造科技有限公司", credit_code=make_credit_code("91330100MA0000901"), industry="C"
    )
    project = services.project_create(user=owner, enterprise=enterprise, title="星河智造华东基地", industry="C")
    Project.objects.filter(pk=project.pk).update(
        stage=Stage.SIGNED, signed_at=datetime.date.today(), planned_investment=Decimal(1200)
    )
    return project


def test_head_sets_a_target_and_sees_progress(org, sign_in, live_server):
    _signed_project(org["officer1"])
    page = sign_in("head1", PASSWORD)
    page.goto(f"{live_server.url}/clients/targets/")
    page.select_option("#id_officer", str(org["officer1"].pk))
    page.fill("#id_signed_projects", "4")
    page.fill("#id_signed_investment", "2400")
    page.click("#target-form button[type=submit]")
    page.wait_for_selector("text=考核目标已保存")
    row = page.locator("tr[data-target]").first
    assert row.locator("[data-completion]").inner_text() == "37.5%"  # (25 % + 50 %) / 2
    _shot(page, "targets-head-1280")
    page.goto(f"{live_server.url}/")
    assert page.locator("#panel-targets progress.target-progress").count() >= 1
    _shot(page, "dashboard-head-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/clients/targets/")
    assert _fits(page)
    _shot(page, "targets-head-390")


def test_officer_records_funds_arrived_on_the_project_page(org, sign_in, live_server):
    project = _signed_project(org["officer1"])
    page = sign_in("officer1", PASSWORD)
    page.goto(f"{live_server.url}/clients/projects/{project.pk}/")
    page.fill("#id_tranche-date", datetime.date.today().isoformat())
    page.fill("#id_tranche-amount", "0")
    page.fill("#id_tranche-evidence_note", "工行回单 0001")
    page.click("#tranche-submit")
    page.wait_for_selector("text=到位金额须大于零")
    page.fill("#id_tranche-date", datetime.date.today().isoformat())
    page.fill("#id_tranche-amount", "1500")
    page.fill("#id_tranche-evidence_note", "工行回单 0001")
    page.click("#tranche-submit")
    page.wait_for_selector("text=到位资金已记录")
    assert "1,500" in page.locator("#funds-total").inner_text()
    _shot(page, "project-funds-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert _fits(page)
    _shot(page, "project-funds-390")


def test_leader_filters_the_cockpit(org, sign_in, live_server):
    from clients import targets
    from clients.models import Department

    _signed_project(org["officer1"])
    leader = org["leader"]
    targets.target_set(
        user=leader, year=datetime.date.today().year, department=Department.objects.get(code="zs1"), signed_projects=2
    )
    targets.target_set(
        user=leader, year=datetime.date.today().year, department=Department.objects.get(code="zs2"), signed_projects=2
    )
    page = sign_in("leader", PASSWORD)
    page.goto(f"{live_server.url}/clients/dashboard/")
    assert page.locator("#panel-targets tr[data-target]").count() == 2
    page.wait_for_function("document.querySelectorAll('canvas[data-drawn]').length >= 2")
    _shot(page, "cockpit-leader-1280")
    page.select_option("#id_department", str(Department.objects.get(code="zs2").pk))
    page.click("#cockpit-filters button[type=submit]")
    page.wait_for_url("**department=*")
    assert page.locator("#panel-targets tr[data-target]").count() == 1
    assert "招商二局" in page.locator("#panel-targets").inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert _fits(page)
    _shot(page, "cockpit-leader-390")

"""[H] In a browser: the person downloads their copy package from the self-service page and its
data.json has their mobile in clear; a used-up link answers a clear page; the privacy officer
erases the person from the contact page, after which the link no longer opens. Screenshots at
1280 and 390 px go to $SHOTS_DIR/shots-h2/ (default: the temporary directory, never the repository)."""

import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import pytest

from clients import services as client_services
from clients.validators import make_credit_code
from privacy.models import SubjectPackage
from privacy.requests import package as packages
from privacy.requests.services import subject_request_create
from privacy.selfservice import services as link_services
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SHOTS = Path(os.environ.get("SHOTS_DIR", tempfile.gettempdir())) / "shots-h2"


@pytest.fixture
def seeded(transactional_db):
    import importlib

    from django.apps import apps

    from clients.roles import ensure_roles, sync_role_permissions

    ensure_roles()
    sync_role_permissions()
    importlib.import_module("privacy.migrations.0003_seed_purposes_policy_ledger_guard").seed(apps, None)


def _shots(page, name):
    SHOTS.mkdir(exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, f"{name} scrolls sideways at {width}"


def test_download_then_erase(seeded, org, live_server, page, sign_in):
    officer, dpo = org["officer1"], org["dpo"]
    enterprise = client_services.enterprise_create(
        user=officer, name="副本测试企业有限公司", credit_code=make_credit_code("91330100MC0000016"), industry="C"
    )
    contact = client_services.contact_create(
        user=officer, enterprise=enterprise, name="陈副本", mobile="13900006666", email="chen@example.cn"
    )
    request = subject_request_create(contact=contact, kind="access")
    package = packages.package_build(subject_request=request, actor=dpo)
    (SHOTS / "index.html").parent.mkdir(exist_ok=True)
    (SHOTS / "index.html").write_bytes(zipfile.ZipFile(io.BytesIO(packages.package_open(package))).read("index.html"))

    page.goto(live_server.url + link_services.selfservice_link(contact))
    assert page.url == live_server.url + "/c/"
    with page.expect_download() as info:
        page.evaluate(f"window.location.href = '{package.download_path}'")
    data = json.loads(zipfile.ZipFile(info.value.path()).read("data.json"))
    assert data["contact"][0]["mobile"] == "13900006666"

    SubjectPackage.objects.filter(pk=package.pk).update(download_count=package.max_downloads)
    page.goto(live_server.url + package.download_path)
    assert "下载次数已用完" in page.locator("#package-unavailable").inner_text()
    _shots(page, "package-unavailable")
    page.goto(SHOTS.joinpath("index.html").as_uri())
    assert "陈副本" in page.content()
    _shots(page, "package-index")

    page.context.clear_cookies()
    sign_in("dpo", PASSWORD)
    page.goto(f"{live_server.url}/clients/contacts/{contact.pk}/")
    page.click("#contact-erase")
    _shots(page, "contact-erase")
    page.fill("#id_reason", "个人提出删除请求")
    page.check("#id_confirm")
    page.get_by_role("button", name="确认删除").click()
    page.wait_for_url(f"{live_server.url}/clients/contacts/{contact.pk}/")
    assert "个人信息已删除" in page.content()
    _shots(page, "contact-erased")

    page.context.clear_cookies()
    page.goto(live_server.url + "/c/")  # no door cookie, and the links are gone
    assert "链接无效" in page.content()

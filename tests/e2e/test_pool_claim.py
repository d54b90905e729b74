"""An officer opens the 公海 page, claims a project of their department's pool, finds it theirs, and is
told in Chinese when the claim limit stops the next one."""

import os

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = os.environ.get("ZH_SHOTS_DIR")  # screenshots for a reviewer, only when asked for


def _pooled(owner, head, title):
    from clients import services
    from clients.validators import make_credit_code

    n = abs(hash(title)) % 10_000_000
    enterprise = services.enterprise_create(
        user=owner, name=f"{title}企业有限公司", credit_code=make_credit_code(f"91330100MP{n:07d}"), industry="C"
    )
    project = services.project_create(user=owner, enterprise=enterprise, title=title)
    services.project_release(user=head, project=project)
    return project


def test_officer_claims_from_the_pool_page(org, sign_in, live_server, settings):
    from clients.models import Project

    settings.POOL_SCOPE = "department"
    settings.POOL_CLAIM_LIMIT = 1
    first = _pooled(org["officer1"], org["head1"], "公海甲项目")
    second = _pooled(org["officer1"], org["head1"], "公海乙项目")
    _pooled(org["officer2"], org["head2"], "二局公海项目")

    page = sign_in("officer3", PASSWORD)
    page.goto(f"{live_server.url}/clients/projects/pool/")
    table = page.locator("#pool-table")
    assert "公海甲项目" in table.inner_text() and "公海乙项目" in table.inner_text()
    assert "二局公海项目" not in table.inner_text()  # another department's pool
    if SHOTS:
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{SHOTS}/pool-{width}.png", full_page=True)
        page.set_viewport_size({"width": 1366, "height": 900})

    page.locator(f'tr[data-project="{first.pk}"] button[type=submit]').click()
    page.wait_for_url(f"**/clients/projects/{first.pk}/")
    assert "已认领" in page.content()
    assert Project.objects.get(pk=first.pk).owner == org["officer3"]

    page.goto(f"{live_server.url}/clients/projects/pool/")
    page.locator(f'tr[data-project="{second.pk}"] button[type=submit]').click()
    page.wait_for_url("**/clients/projects/pool/")
    assert "已达上限（1 个）" in page.content()
    assert Project.objects.get(pk=second.pk).owner is None
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/pool-refused-1280.png", full_page=True)

"""[N] Public pages fit a phone: no sideways scroll from 360 to 414 px, in Chinese and in English.

Each public page (self-service and its complaint and separate-consent pages, the public complaint
form, its tracking page, the privacy policy, the neutral page of a dead link, sign-in) is opened at
360 and 390 px and must not be wider than the window (`scrollWidth <= innerWidth`). The header
names the zone and the privacy officer's contact; the favicon answers.
"""

import pytest
from django.conf import settings

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = [360, 390]


@pytest.fixture
def public_paths(org):
    from clients.demo import seed_cases
    from clients.models import Contact
    from complaints import services
    from complaints.models import ComplaintCategory, ComplaintKind
    from privacy.consent.models import Purpose
    from privacy.selfservice.services import selfservice_link
    from tests.conftest import PASSWORD

    seed_cases(password=PASSWORD)
    contact = Contact.objects.select_related("enterprise").order_by("pk").first()
    link = selfservice_link(contact)
    separate = Purpose.objects.filter(requires_separate_consent=True).order_by("order").first()
    complaint, secret = services.complaint_submit(
        kind=ComplaintKind.objects.get(code="complaint"),
        category=ComplaintCategory.objects.get(code="policy"),
        description="招商时承诺的房租补贴至今没有兑现，请尽快处理。",
        channel="web",
        name="",
        phone="",
        email="",
    )
    return [
        link,
        f"{link}complaint/",
        f"{link}separate/{separate.code}/",
        f"{link}request/deletion/",  # [H] a request's short form, and the public request form
        f"{link}request/correction/",
        "/c/ask/",
        "/c/not-a-valid-token/",
        "/complaints/new/",
        f"/complaints/t/{complaint.reference}/{secret}/",
        "/privacy/policy/",
        "/account/login/",
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_public_pages_do_not_scroll_sideways_on_phones(live_server, browser, public_paths, language):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 800})
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    tab = context.new_page()
    too_wide = []
    for width in WIDTHS:
        tab.set_viewport_size({"width": width, "height": 800})
        for path in public_paths:
            response = tab.goto(live_server.url + path)
            assert response.status < 500, path
            scroll, inner = tab.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if scroll > inner:
                too_wide.append(f"{path.split('/')[1]}… at {width}px: {scroll} > {inner}")
    context.close()
    assert not too_wide, too_wide


def test_public_header_names_the_zone_and_the_privacy_officer(live_server, page, public_paths):
    for path in [public_paths[0], "/complaints/new/", "/privacy/policy/"]:
        page.goto(live_server.url + path)
        header = page.locator("nav").first.inner_text()
        assert settings.ZONE_NAME in header, path
        assert settings.PRIVACY_OFFICER_CONTACT in header, path
        assert "招商管理平台" not in header, path
    response = page.goto(live_server.url + "/favicon.ico")
    assert response.status == 200 and "svg" in response.headers["content-type"]

"""The demo officer signs in through the real login page and sees the dashboard in Chinese."""

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_officer_signs_in_and_sees_chinese_dashboard(org, sign_in, page, tmp_path):
    page = sign_in("officer1", PASSWORD)

    heading = page.locator("h1").first
    assert heading.inner_text() == "工作台"
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    # Chinese glyphs actually render (fonts installed): a CJK string is wider than one tofu box per
    # character would make it only if a CJK font is present — compare with a Latin string's width.
    widths = page.evaluate(
        """() => {
            const c = document.createElement('canvas').getContext('2d');
            c.font = '32px sans-serif';
            return [c.measureText('工作台').width, c.measureText('\\u{10FFFF}\\u{10FFFE}\\u{10FFFD}').width];
        }"""
    )
    assert widths[0] != widths[1], "CJK text renders as missing-glyph boxes: install fonts-wqy-microhei"
    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

"""The privacy officer opens the PIPL scorecard (rows, trend chart drawn), follows a drill-down,
records a policy review on the review page and sees the scorecard row turn green, and exports the
record of processing activities. No page scrolls sideways at 390 px.

With SCREENSHOT_DIR set, the pages are also saved at 1280 and 390 px wide (for review).
"""

import datetime
import os
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = os.environ.get("SCREENSHOT_DIR")


def _fits(page, name):
    widths = (1280, 390)
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1"
        )
        assert not overflow, f"{name} scrolls sideways at {width} px"
    page.set_viewport_size({"width": 1366, "height": 900})


def test_privacy_officer_reads_the_scorecard_and_records_a_policy_review(org, sign_in, live_server, page):
    from privacy.scorecard.services import scorecard_snapshot_take

    today = datetime.date.today()
    scorecard_snapshot_take(today=today.replace(day=1) - datetime.timedelta(days=1))
    scorecard_snapshot_take()
    page.set_default_timeout(20000)
    page = sign_in("dpo", PASSWORD)

    page.goto(f"{live_server.url}/privacy/scorecard/")
    assert page.locator('tr[data-row="17-policy"]').get_attribute("data-level") == "none"
    page.wait_for_function("() => document.getElementById('scorecard-trend-chart').dataset.drawn === '1'")
    _fits(page, "scorecard")

    page.click('tr[data-row="17-policy"] a')
    page.wait_for_url(f"{live_server.url}/privacy/review/")
    page.fill("#id_next_review_date", (today + datetime.timedelta(days=365)).isoformat())
    page.fill("#id_note", "对照现行法规复核，无需修订。")
    page.click("#policy-review button[type=submit]")
    page.wait_for_url(f"{live_server.url}/privacy/review/")
    assert page.locator("#policy-next-review").inner_text() == (today + datetime.timedelta(days=365)).isoformat()
    assert page.locator("#law-register tbody tr").count() >= 4
    _fits(page, "review")

    page.goto(f"{live_server.url}/privacy/scorecard/")
    assert page.locator('tr[data-row="17-policy"]').get_attribute("data-level") == "green"

    page.goto(f"{live_server.url}/privacy/scorecard/print/")
    _fits(page, "scorecard-print")

    page.goto(f"{live_server.url}/privacy/ropa/")
    _fits(page, "ropa")
    with page.expect_download() as download:
        page.click("main form button[type=submit]")
    assert download.value.suggested_filename.endswith(".xlsx")

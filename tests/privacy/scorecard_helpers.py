"""Helpers for scorecard tests: a row's level called directly and as the page shows it."""

import re

from privacy.scorecard.base import rows


def result_of(key):
    return {entry.key: entry for entry in rows()}[key].compute()


def page_level(client, key):
    response = client.get("/privacy/scorecard/")
    assert response.status_code == 200
    html = response.content.decode()
    match = re.search(rf'data-row="{re.escape(key)}" data-level="(\w+)"', html)
    assert match, f"row {key} not on the page"
    return match.group(1)


def both(client, key):
    """(level from the row function, level on the page): the two must agree."""
    level = result_of(key).level
    assert page_level(client, key) == level
    return level

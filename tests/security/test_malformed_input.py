"""Malformed input gets a 4xx with a message, never a 500: every URL pattern, every role.

The walk covers the whole URL configuration (the admin console too, for the roles that may enter
it), so a view added later is covered at once. Each path parameter is replaced by a NUL byte, an
overlong number and an invalid value; each request also carries such a query string; each path is
requested with GET and with a POST of garbage.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

OVERLONG = "9" * 30
BAD_VALUES = {
    "int": ["%00", OVERLONG, "0"],
    "default": ["%00", OVERLONG, "x" * 300, "%27%22%3Cb%3E"],
}
BAD_QUERY = {"year": "0", "after": OVERLONG, "page": OVERLONG, "q": "a\x00b", "pk": "%00", "cursor": "-" + OVERLONG}
BAD_QUERY_2 = {"year": OVERLONG, "after": "abc", "stage": "\x00", "purpose": "x" * 300}
BAD_POST = {
    "purpose": "x" * 300,
    "pk": OVERLONG,
    "user": "\x00",
    "days": OVERLONG,
    "amount": "1e309",
    "date": "0000-00-00",
}
SKIP = {"logout", "set_language"}  # would end the session the walk runs in
ROLES = ["anonymous", "outsider", "officer1", "head1", "dpo", "handler", "auditor", "admin"]
STAFF = {"admin"}  # who may enter the admin console; for the others its pages only redirect
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _patterns(patterns=None, prefix="", namespace=None):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, [namespace, p.namespace])) if p.namespace else namespace
            yield from _patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield prefix + str(p.pattern), name


def _plain(route):
    return route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")


def malformed_paths(admin):
    """(path, name) for every pattern: each path parameter replaced by each bad value of its kind."""
    out = []
    for route, name in _patterns():
        if name in SKIP or "(?P" in route or bool(name and name.startswith("admin:")) != admin:
            continue
        route = _plain(route)
        kinds = [m.group(1) or "str" for m in _CONVERTER.finditer(route)]
        if not kinds:
            out.append(("/" + route, name))
            continue
        width = max(len(BAD_VALUES.get(kind, BAD_VALUES["default"])) for kind in kinds)
        for i in range(width):

            def bad(match, i=i):
                values = BAD_VALUES.get(match.group(1) or "str", BAD_VALUES["default"])
                return values[i % len(values)]

            out.append(("/" + _CONVERTER.sub(bad, route), name))
    return out


def _walk(client, paths):
    failures = []
    for path, name in paths:
        for method, data in (("get", BAD_QUERY), ("get", BAD_QUERY_2), ("post", BAD_POST)):
            try:
                response = getattr(client, method)(path, data)
            except Exception as exc:  # noqa: BLE001 - a crash is what the walk looks for
                failures.append((method, path, name, repr(exc)[:200]))
                continue
            if response.status_code >= 500:
                failures.append((method, path, name, response.status_code))
    return failures


@pytest.mark.parametrize("role", ROLES)
def test_no_url_answers_500_to_malformed_input(client, org, role):
    client.raise_request_exception = False  # a crash shows as the 500 page, as a visitor would see it
    if role != "anonymous":
        client.force_login(org[role])
    paths = malformed_paths(admin=False) + (malformed_paths(admin=True) if role in STAFF else [])
    assert not _walk(client, paths)


def test_the_walk_covers_every_pattern_and_the_bad_values():
    paths = malformed_paths(admin=False)
    names = {name for _route, name in _patterns() if not (name or "").startswith("admin:")} - SKIP
    assert names <= {name for _path, name in paths}
    assert any("%00" in path for path, _n in paths) and any(OVERLONG in path for path, _n in paths)
    assert any(path.startswith("/complaints/t/%00/") for path, _n in paths)


@pytest.mark.parametrize(
    "path",
    ["/clients/%00", "/complaints/%00/", "/complaints/t/%00/x/", "/privacy/%00/", "/audit/%00"],
)
def test_nul_in_a_signed_in_path_is_a_400_with_a_message(client, officer1, path):
    client.force_login(officer1)
    response = client.get(path)
    assert response.status_code == 400 and "无法处理的字符" in response.content.decode()


@pytest.mark.parametrize("year", ["0", OVERLONG, "abc", "-1", "20241"])
def test_complaint_analysis_refuses_a_year_that_is_not_one(client, dpo, year):
    client.force_login(dpo)
    page = client.get("/complaints/analysis/", {"year": year})
    assert page.status_code == 400 and "年度应为" in page.content.decode()
    export = client.get("/complaints/analysis/export.csv", {"year": year})
    assert export.status_code == 400 and "年度应为" in export.content.decode()
    assert client.get("/complaints/analysis/", {"year": "2026"}).status_code == 200

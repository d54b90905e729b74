"""Every URL outside the public allowlist sends an anonymous visitor to the login page.

The test walks the whole URL configuration, so a view added later without protection fails here.
"""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Views an anonymous visitor may use, by "namespace:name". Keep this list short and justified.
PUBLIC_ALLOWLIST = {
    "core:healthz",  # load balancer health check, no secrets
    "two_factor:login",  # the sign-in page itself
    "set_language",  # language switcher (POST only, CSRF-protected)
    "privacy:policy",  # the published privacy policy
    "selfservice:home",  # client self-service pages: signed token instead of an account
    "selfservice:separate",  # [E]: the separate-consent (单独同意) step of the self-service page
    "selfservice:separate_recipient",  # [I]: the same step for one recipient of a purpose that provides to others
    "selfservice:consent",
    "selfservice:withdraw_all",
    "selfservice:request",
    "selfservice:complaint",
    "selfservice:invalid",
    "complaints:public_new",  # public complaint form
    "complaints:public_done",
    "complaints:track",  # complaint tracking link with its secret
    "complaints:track_rate",
}

SAMPLE = {"int": "1", "str": "x", "slug": "x", "uuid": str(uuid.UUID(int=1)), "path": "x"}


def _walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            if ns:
                ns = ":".join(filter(None, [namespace, p.namespace])) if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + _route(p), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield prefix + _route(p), name, p.callback


def _route(p):
    route = str(p.pattern)
    if hasattr(p.pattern, "converters") and p.pattern.converters:
        import re

        def sub(match):
            conv = match.group(1) or "str"
            return SAMPLE.get(conv, "1")

        route = re.sub(r"<(?:(\w+):)?\w+>", sub, route)
    return route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")


def all_urls():
    return [(path, name, cb) for path, name, cb in _walk(get_resolver().url_patterns) if "(?P" not in path]


def is_admin(name):
    return bool(name) and name.startswith("admin:")


def test_only_allowlisted_views_are_public():
    public = {
        name
        for _path, name, callback in all_urls()
        if getattr(callback, "login_required", True) is False and not is_admin(name)
    }
    unexpected = public - PUBLIC_ALLOWLIST
    assert not unexpected, f"views marked login_not_required but not on the public allowlist: {unexpected}"


@pytest.mark.django_db
@pytest.mark.parametrize("path,name", [(p, n) for p, n, _cb in all_urls() if n not in PUBLIC_ALLOWLIST])
def test_anonymous_visitor_is_sent_to_login(client, path, name):
    response = client.get("/" + path)
    if is_admin(name):
        assert response.status_code in (302, 404), f"/{path}"
        if response.status_code == 302:
            assert "login" in response["Location"], f"/{path} -> {response['Location']}"
        return
    assert response.status_code == 302, f"/{path} ({name}) answered {response.status_code} to an anonymous visitor"
    assert response["Location"].startswith("/account/login/"), f"/{path} -> {response['Location']}"

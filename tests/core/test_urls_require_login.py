"""Every URL outside the public allowlist sends an anonymous visitor to the login page.

The test walks the whole URL configuration, so a view added later without protection fails here.
"""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Views an anonymous visitor may use, by "namespace:name". Keep this list short and justified.
PUBLIC_ALLOWLIST = {
    "core:healthz",  # load balancer health check, no secrets
    "core:favicon",  # the site icon browsers ask for on every page
    "two_factor:login",  # the sign-in page itself
    "set_language",  # language switcher (POST only, CSRF-protected)
    "privacy:policy",  # the published privacy policy
    "selfservice:door",  # [P] the self-service link: swaps its signed token for the pages' cookie
    "selfservice:door_to",  # the same door, leading to one page of the service
    "selfservice:home",  # client self-service pages: the door's cookie instead of an account
    "selfservice:separate",  # [E]: the separate-consent (单独同意) step of the self-service page
    "selfservice:separate_recipient",  # [I]: the same step for one recipient of a purpose that provides to others
    "selfservice:consent",
    "selfservice:withdraw_all",
    "selfservice:request",
    "selfservice:request_kind",  # [H] a request's short form, its page and the explanation page (door cookie)
    "selfservice:request_status",
    "selfservice:request_explanation",
    "selfservice:ask",  # [H] public request form for a person without a link (neutral answer, rate-limited)
    "selfservice:ask_code",
    "selfservice:package",  # [H] the copy's download: a signed id, and the door's cookie of that person
    "selfservice:complaint",
    "complaints:public_new",  # public complaint form
    "complaints:public_done",
    "complaints:track",  # complaint tracking link with its secret
    "complaints:track_rate",
}

# [K] The REST API under /api/ authenticates by API key, never by the portal session: these views
# are exempt from LoginRequiredMiddleware and refuse an anonymous call themselves, with 401 in
# the error envelope (tested below). The docs page (api:docs) is an ordinary portal page. The
# schema (api:schema) also takes a portal session, so that the docs page can read it.
API_NAMESPACE = "api:"
API_LOGIN_PAGES = {"api:docs"}


def is_api_endpoint(name):
    return bool(name) and name.startswith(API_NAMESPACE) and name not in API_LOGIN_PAGES


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
    unexpected = {name for name in public - PUBLIC_ALLOWLIST if not is_api_endpoint(name)}
    assert not unexpected, f"views marked login_not_required but not on the public allowlist: {unexpected}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path,name", [(p, n) for p, n, _cb in all_urls() if n not in PUBLIC_ALLOWLIST and not is_api_endpoint(n)]
)
def test_anonymous_visitor_is_sent_to_login(client, path, name):
    response = client.get("/" + path)
    if is_admin(name):
        assert response.status_code in (302, 404), f"/{path}"
        if response.status_code == 302:
            assert "login" in response["Location"], f"/{path} -> {response['Location']}"
        return
    assert response.status_code == 302, f"/{path} ({name}) answered {response.status_code} to an anonymous visitor"
    assert response["Location"].startswith("/account/login/"), f"/{path} -> {response['Location']}"


API_URLS = [(p, n) for p, n, _cb in all_urls() if is_api_endpoint(n)]


def test_the_api_is_found_by_the_walk():
    assert len(API_URLS) >= 10 and "api:schema" in {n for _p, n in API_URLS}


@pytest.mark.django_db
@pytest.mark.parametrize("path,name", API_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_api_refuses_anonymous_calls_with_401_in_the_envelope(client, path, name, method):
    response = getattr(client, method)("/" + path)
    assert response.status_code == 401, f"/{path} ({name}) answered {response.status_code} to an anonymous call"
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Api-Key")


@pytest.mark.django_db
@pytest.mark.parametrize("path,name", [(p, n) for p, n in API_URLS if n != "api:schema"])
def test_a_portal_session_does_not_open_the_api(client, path, name):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("root-for-api-test"))
    assert client.get("/" + path).status_code == 401, f"/{path}"

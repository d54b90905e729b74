"""Cross-cutting request middleware: client address behind proxies, correlation ids, request size,
language choice, required two-factor, NUL bytes, and no caching of signed-in pages."""

import contextvars
import ipaddress
import logging
import re
import uuid

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers

_correlation_id = contextvars.ContextVar("correlation_id", default=None)
_SAFE_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def get_correlation_id():
    """The id of the request (or task) being served; stored on audit entries and log lines."""
    return _correlation_id.get()


def set_correlation_id(value=None):
    value = value if value and _SAFE_ID.match(value) else uuid.uuid4().hex
    _correlation_id.set(value)
    return value


class CorrelationIdFilter(logging.Filter):
    def filter(self, record):
        record.correlation_id = get_correlation_id() or "-"
        return True


class CorrelationIdMiddleware:
    """Give every request an id: the X-Request-ID a trusted proxy set, else a fresh one.

    The header is believed only when TRUSTED_PROXY_COUNT says a proxy stands in front (the
    README's nginx sets it, replacing whatever the client sent); without one, a client could
    write an id of its choosing into the audit trail's correlation column.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        supplied = request.META.get("HTTP_X_REQUEST_ID") if settings.TRUSTED_PROXY_COUNT > 0 else None
        request.correlation_id = set_correlation_id(supplied)
        response = self.get_response(request)
        response["X-Request-ID"] = request.correlation_id
        return response


def forwarded_client(meta, proxies):
    """The client's address: REMOTE_ADDR, or with `proxies` trusted proxies in front the address
    the outermost of them saw, read from the right of X-Forwarded-For.

    Each proxy appends the address of its peer to X-Forwarded-For, so with N proxies the client
    is the N-th entry from the right; anything to the left of it was written by the client and
    is ignored. A header with fewer entries than proxies (a request that did not come through
    all of them) or an entry that is not an IP address gives REMOTE_ADDR.
    """
    remote = meta.get("REMOTE_ADDR", "")
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote
    candidate = hops[-proxies]
    if candidate.startswith("[") and "]" in candidate:  # [IPv6]:port
        candidate = candidate[1 : candidate.index("]")]
    elif candidate.count(":") == 1:  # IPv4:port
        candidate = candidate.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def client_ip(request):
    """The client address every rate limit, the sign-in lock-out (AXES_CLIENT_IP_CALLABLE) and
    the audit trail use. `ClientAddressMiddleware` has already put it in REMOTE_ADDR."""
    return request.META.get("REMOTE_ADDR", "")


class ClientAddressMiddleware:
    """Put the real client address in REMOTE_ADDR, from TRUSTED_PROXY_COUNT proxies' X-Forwarded-For.

    First in the stack, so every later reader of REMOTE_ADDR (rate limits, django-axes, the access
    trail, django-auditlog) sees the same, unspoofable address. X-Forwarded-For itself is removed
    once read: django-auditlog would otherwise take its left-most, client-written entry. The
    proxy's own address stays in META["ZS_PROXY_ADDR"].
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        proxies = settings.TRUSTED_PROXY_COUNT
        if proxies > 0 or "HTTP_X_FORWARDED_FOR" in meta:
            meta["ZS_PROXY_ADDR"] = meta.get("REMOTE_ADDR", "")
            meta["REMOTE_ADDR"] = forwarded_client(meta, proxies)
            meta.pop("HTTP_X_FORWARDED_FOR", None)
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is larger than REQUEST_MAX_BODY_BYTES, before anything
    reads it (413, with a message): a 60 MB multipart body is never parsed only to be refused.

    Django reads no more than Content-Length bytes, and a body without one as empty, so the header
    is the whole test. The limit fits the largest form (five 10 MB complaint attachments); the
    README's proxy sets the same `client_max_body_size`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        limit = settings.REQUEST_MAX_BODY_BYTES
        if length < 0 or length > limit:
            from django.http import QueryDict
            from django.shortcuts import render
            from django.utils.datastructures import MultiValueDict

            # The refused body is never read: whatever the page's rendering asks of request.POST
            # (the sign-in helpers, a form) sees an empty form instead of parsing it.
            request._post, request._files = QueryDict(), MultiValueDict()
            if length < 0:  # a Content-Length that is not a number
                return render(request, "400.html", status=400)
            return render(request, "413.html", {"limit": limit}, status=413)
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """Every page served to a signed-in user answers ``Cache-Control: no-store`` (and private): the
    pages carry personal data and must not stay in a browser's or a proxy's cache.

    A response that already says no-store (the self-service pages, downloads) is left as it is,
    without looking at the user, so public pages that avoid loading the session still do.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "no-store" in response.get("Cache-Control", ""):
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class LanguageMiddleware:
    """Simplified Chinese unless the person chose English with the switcher.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: the zone's
    working language is Chinese, whatever language a borrowed laptop is set to.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class RequireTwoFactorMiddleware:
    """Holders of a clear-value or sensitive-field permission must sign in with a verified second
    factor when the setting is on (which permissions: `clients.roles.TWO_FACTOR_PERMISSIONS`).

    Such a user without a verified session is sent to set up (or use) a TOTP device first.
    """

    EXEMPT_PREFIXES = ("/account/", "/i18n/", "/static/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.REQUIRE_2FA_FOR_PRIVILEGED
            and user is not None
            and user.is_authenticated
            and not request.path.startswith(self.EXEMPT_PREFIXES)
            and not user.is_verified()
            and _is_privileged(user)
        ):
            return redirect(reverse("two_factor:setup"))
        return self.get_response(request)


def _is_privileged(user):
    from clients.roles import needs_two_factor

    return needs_two_factor(user)


class RejectNulBytesMiddleware:
    """Answer 400 to a path, query string or form field containing a NUL character.

    PostgreSQL text cannot hold NUL, so such input would otherwise fail deep inside a query as a
    500 (a `/clients/%00` path in the denied-access record, a tracking reference in its lookup).
    Forms already refuse it field by field; this covers every view and every URL pattern.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path_info
            or "\x00" in request.META.get("QUERY_STRING", "")
            or _has_nul(request.GET)
            or _form_has_nul(request)
        ):
            from django.shortcuts import render

            if request.path.startswith("/api/"):
                from django.utils.translation import gettext as _

                from .api.exceptions import json_error

                return json_error(400, "invalid", _("请求参数不能包含空字符（NUL）。"))
            return render(request, "400.html", status=400)
        return self.get_response(request)


def _has_nul(querydict):
    return any("\x00" in value for values in querydict.lists() for value in values[1])


def _form_has_nul(request):
    if request.method != "POST" or request.content_type != "application/x-www-form-urlencoded":
        return False
    return _has_nul(request.POST)

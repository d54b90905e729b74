"""Cross-cutting request middleware: correlation ids, language choice, required two-factor."""

import contextvars
import logging
import re
import uuid

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

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
    """Give every request an id (from a trusted proxy's X-Request-ID, else fresh)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.correlation_id = set_correlation_id(request.headers.get("X-Request-ID"))
        response = self.get_response(request)
        response["X-Request-ID"] = request.correlation_id
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
    """Answer 400 to a query string or form field containing a NUL character.

    PostgreSQL text cannot hold NUL, so such input would otherwise fail deep inside a query as a
    500. Forms already refuse it field by field; this covers every view that reads request.GET.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.META.get("QUERY_STRING", "") or _has_nul(request.GET) or _form_has_nul(request):
            from django.shortcuts import render

            return render(request, "400.html", status=400)
        return self.get_response(request)


def _has_nul(querydict):
    return any("\x00" in value for values in querydict.lists() for value in values[1])


def _form_has_nul(request):
    if request.method != "POST" or request.content_type != "application/x-www-form-urlencoded":
        return False
    return _has_nul(request.POST)

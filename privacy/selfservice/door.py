"""The one-time door: a self-service link's token is swapped for a cookie, and the URL loses it.

A link ``/c/<token>/`` (or ``/c/<token>/<page>`` for a link straight to one page, such as a
download) is only a door. Its one GET checks the token (the same statement, and so the same
time, for every token that does not open: see `prepared._open`), sets the door cookie and
redirects to ``/c/`` (or ``/c/<page>``); the pages behind it read the cookie, never a token. So
the token appears in one request line only -- the one the log filter and the proxy's log format
redact -- and never in a page's address, its Referer, its forms or the browser's history of
the pages.

The cookie holds the link's nonce signed with a timestamp under a salt of its own: HttpOnly,
SameSite=Lax (the link is opened from an e-mail or SMS, a cross-site navigation), path ``/c/``,
Secure where the session cookie is. It opens the pages for SELFSERVICE_SESSION_MINUTES after it
was last renewed (each page renews it at most once a minute) and only while the link itself is
live: revoking the link, or its expiry, closes the cookie at once because every page re-reads the
link row by nonce. Any page added under ``/c/`` that is wrapped in `rendering.selfservice_view`
gets the same door, cookie, rate limit and log redaction.
"""

import datetime
import time

from django.conf import settings
from django.core import signing

COOKIE_NAME = "zs_selfservice"
COOKIE_PATH = "/c/"
COOKIE_SALT = "privacy.selfservice.door"  # a namespace, not a secret
RENEW_AFTER_SECONDS = 60


def _signer():
    return signing.TimestampSigner(salt=COOKIE_SALT)


def _max_age():
    return datetime.timedelta(minutes=settings.SELFSERVICE_SESSION_MINUTES)


def cookie_nonce(request):
    """(nonce, signed at) from the request's door cookie, or (None, None) when absent, forged or old."""
    value = request.COOKIES.get(COOKIE_NAME, "")
    if not value or len(value) > 200:
        return None, None
    try:
        nonce = _signer().unsign(value, max_age=_max_age())
        signed_at = signing.b62_decode(value.rsplit(":", 2)[-2])
    except (signing.BadSignature, ValueError):
        return None, None
    return nonce, signed_at


def set_cookie(response, nonce):
    response.set_cookie(
        COOKIE_NAME,
        _signer().sign(nonce),
        max_age=int(_max_age().total_seconds()),
        path=COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def renew_cookie(response, nonce, signed_at):
    """Restart the cookie's clock on an opened page (at most once a minute: few Set-Cookie headers)."""
    if signed_at is None or time.time() - signed_at >= RENEW_AFTER_SECONDS:
        set_cookie(response, nonce)
    return response


def clear_cookie(response):
    response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH, samesite="Lax")
    return response

"""Per-key rate limit (a fixed one-minute window) and failed key attempts per address, counted in the cache.

If the cache is unreachable the request is let through and a warning is logged: an outage of
Redis must not take the API down with it (keys, scopes and gates still apply).
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from zhaoshang.core.ratelimit import over_limit

from .models import ApiKey

logger = logging.getLogger(__name__)


class ApiKeyRateThrottle(BaseThrottle):
    def allow_request(self, request, view):
        key = getattr(request, "auth", None)
        if not isinstance(key, ApiKey):
            return True
        now = time.time()
        window = int(now // 60)
        self.wait_seconds = 60 - int(now % 60)
        name = f"api-rate:{key.pk}:{window}"
        try:
            cache.add(name, 0, timeout=120)
            count = cache.incr(name)
        except Exception:  # noqa: BLE001 - any cache failure: degrade open, loudly
            logger.warning("API rate limit not enforced: cache unavailable (key prefix %s)", key.prefix)
            return True
        return count <= key.integration.rate_limit_per_minute

    def wait(self):
        return getattr(self, "wait_seconds", 60)


# --- Failed key attempts, per client address -------------------------------------------------------
#
# A presented key that does not authenticate (unknown, malformed, revoked, expired) counts against the
# caller's address for API_KEY_FAILURE_WINDOW seconds. Once API_KEY_FAILURE_LIMIT failures are counted,
# every key attempt from that address is refused with 429 until the window ends, before any key is
# looked at, so guessing keys gets at most that many tries per window. The address is hashed with
# SECRET_KEY in the cache key (no addresses in Redis); REMOTE_ADDR is already the client behind the
# trusted proxies (ClientAddressMiddleware). Without the cache the limit is not counted (logged).


def _failure_key(request):
    address = request.META.get("REMOTE_ADDR", "")
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:api-key-failures:{address}".encode()).hexdigest()[:32]
    window = int(time.time() // settings.API_KEY_FAILURE_WINDOW)
    return f"api-key-failures:{digest}:{window}"


def _failure_wait():
    return settings.API_KEY_FAILURE_WINDOW - int(time.time() % settings.API_KEY_FAILURE_WINDOW)


def key_failures_blocked(request):
    """Seconds to wait when this address has used up its failed key attempts, else None."""
    name = _failure_key(request)
    try:
        count = cache.get(name) or 0
    except Exception:  # noqa: BLE001 - a cache outage must not take the API down
        logger.warning("API key failure limit not enforced: cache unavailable")
        return None
    return _failure_wait() if count >= settings.API_KEY_FAILURE_LIMIT else None


def key_failure_count(request):
    """Count one failed key attempt from this address."""
    over_limit(
        _failure_key(request),
        limit=settings.API_KEY_FAILURE_LIMIT,
        window=settings.API_KEY_FAILURE_WINDOW,
        scope="integrations.api-key-failures",
    )

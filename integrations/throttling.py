"""Per-key rate limit: a fixed one-minute window counted in the cache (Redis).

If the cache is unreachable the request is let through and a warning is logged: an outage of
Redis must not take the API down with it (keys, scopes and gates still apply).
"""

import logging
import time

from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

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

"""Counters for rate limits, kept in the cache (Redis), that never take a page down with them.

A limit protects a form; losing the form because the counter's store is unreachable would be worse
than letting a few extra requests through. So when the cache cannot be reached the request is
allowed (fail-open) and a warning is logged — the key's scope only, never the client's address.
"""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def cache_unavailable(scope, exc):
    """Log (once per call) that a limit could not be counted; the caller lets the request through."""
    logger.warning("rate limit %s not counted: cache unavailable (%s); request allowed", scope, type(exc).__name__)


def over_limit(key, *, limit, window, scope):
    """Count one request under `key` for `window` seconds; True once more than `limit` were counted.

    `scope` names the limit in the log (e.g. "complaints.public-form").
    """
    try:
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            count = 1
    except Exception as exc:  # noqa: BLE001 - any cache failure: allow the request, say so in the log
        cache_unavailable(scope, exc)
        return False
    return count > limit

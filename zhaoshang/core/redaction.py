"""The one place that knows which URL paths carry a secret, and the log filter that hides it.

Token-bearing paths (the prefixes in `TOKEN_PATH_PREFIXES`):

- ``/c/…``: client self-service. The emailed link ``/c/<token>/`` is a door that swaps the token
  for a cookie (privacy.selfservice.door); the pages behind it and any download added under
  ``/c/`` use that cookie, and a link straight to one of them is ``/c/<token>/<page>``.
- ``/complaints/t/<reference>/<secret>/``: the complainant's tracking link.

Under those prefixes every path segment that is not a plain route word (lowercase letters, digits
after the first letter, ``-`` and ``_``, at most 20 characters: ``consent``, ``withdraw-all``,
``download``) is replaced by ``[redacted]``. Signed tokens, nonces and tracking secrets are
longer than that (and complaint references are upper case), so a new kind of link under these
prefixes is covered without another rule. `RedactTokenPaths` applies this to every log record that passes
the console handler (settings.LOGGING), whichever logger wrote it (the CSRF refusal, the 404 and
500 lines of django.request, a view's own log line). `zhaoshang.core.gunicorn.RedactingLogger`
does the same to gunicorn's access log, and the README's nginx `log_format` strips the same
segments at the proxy.
"""

import logging
import re

TOKEN_PATH_PREFIXES = ("/c/", "/complaints/t/")
REDACTED = "[redacted]"

_ROUTE_WORD = re.compile(r"[a-z][a-z0-9_-]{0,19}")
# A token-bearing path inside any text (a log line, a request line, a Referer): the prefix and
# everything up to a character that cannot be in a path (whitespace, quotes, query, fragment).
_IN_TEXT = re.compile(
    r"(?P<prefix>" + "|".join(re.escape(p) for p in TOKEN_PATH_PREFIXES) + r")(?P<rest>[^\s\"'<>?#]*)"
)


def is_token_path(path):
    """Does `path` (a URL path) fall under a prefix whose segments may carry a secret?"""
    return (path or "").startswith(TOKEN_PATH_PREFIXES)


def _redact_rest(rest):
    return "/".join(s if not s or _ROUTE_WORD.fullmatch(s) else REDACTED for s in rest.split("/"))


def redact_path(path):
    """`path` with the secret segments of a token-bearing path replaced; other paths unchanged."""
    if not is_token_path(path):
        return path
    for prefix in TOKEN_PATH_PREFIXES:
        if path.startswith(prefix):
            return prefix + _redact_rest(path[len(prefix) :])
    return path  # pragma: no cover - is_token_path said one prefix matches


def redact(text):
    """`text` with every token-bearing path in it redacted (also inside full URLs)."""
    if not any(prefix in text for prefix in TOKEN_PATH_PREFIXES):
        return text
    return _IN_TEXT.sub(lambda m: m["prefix"] + _redact_rest(m["rest"]), text)


class RedactTokenPaths(logging.Filter):
    """Rewrite a record's message with `redact`. Attached to the console handler (every record).

    The formatted message replaces msg/args only when it changed, so records without a token
    path keep their arguments for other handlers.
    """

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is left for logging to report
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        request = getattr(record, "request", None)
        if request is not None and is_token_path(getattr(request, "path", "")):
            record.request = None  # handlers that print the request (e-mail reports) must not get it
        return True

"""A logging filter that removes self-service tokens from log records.

Django's own loggers (django.security.csrf on a refused POST, django.request on a 500) write the
request path, and a self-service path carries its token. The filter rewrites ``/c/<token>/`` to
``/c/[redacted]/`` in the formatted message; settings attach it to those loggers and the console
handler.
"""

import logging
import re

_TOKEN_PATH = re.compile(r"/c/[^/\s\"']+")


def redact(text):
    return _TOKEN_PATH.sub("/c/[redacted]", text)


class RedactSelfServiceTokens(logging.Filter):
    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is left for logging to report
            return True
        if "/c/" in message:
            record.msg = redact(message)
            record.args = ()
        return True

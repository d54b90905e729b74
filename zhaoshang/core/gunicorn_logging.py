"""gunicorn's access log without the secrets of token-bearing paths.

    gunicorn zhaoshang.wsgi -w 4 -b 127.0.0.1:8000 --access-logfile - \\
        --logger-class zhaoshang.core.gunicorn_logging.RedactingLogger

Every text atom of an access-log line (request line, path, Referer, any header or environ
variable a custom `--access-logformat` may print) goes through the same `redact` as the
application's log filter (zhaoshang.core.redaction), so ``GET /c/<token>/`` is written as
``GET /c/[redacted]/``.
"""

from gunicorn.glogging import Logger

from .redaction import redact


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}

"""Records repeated out-of-scope 404s for the anomaly report (see audit.access.record_denied)."""

from django.conf import settings

from zhaoshang.core.redaction import is_token_path

from .access import record_denied


class DeniedAccessMiddleware:
    """A signed-in user's 404 under a record prefix (settings.AUDIT_DENIED_PATH_PREFIXES) is a
    "denied" event.

    Out-of-scope records answer 404 by design, whichever app they belong to (/clients/,
    /complaints/, /privacy/, /audit/, /api/), so a run of them from one person is how probing for
    other departments' records shows up. Token-bearing paths (self-service, tracking) are never
    recorded: their segments are secrets, not ids.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(settings.AUDIT_DENIED_PATH_PREFIXES)

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 404 and request.path.startswith(self.prefixes) and not is_token_path(request.path):
            record_denied(request)
        return response

"""Records repeated out-of-scope 404s for the anomaly report (see audit.access.record_denied)."""

from django.conf import settings

from .access import record_denied


class DeniedAccessMiddleware:
    """A signed-in user's 404 under a case URL prefix (/clients/, /complaints/) is a "denied" event.

    Out-of-scope records answer 404 by design, so a run of them from one person is how probing for
    other departments' records shows up. Paths hold ids only; self-service (/c/) is not watched.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(settings.AUDIT_DENIED_PATH_PREFIXES)

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 404 and request.path.startswith(self.prefixes):
            record_denied(request)
        return response

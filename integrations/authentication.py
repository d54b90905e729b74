"""DRF authentication by API key: `Authorization: Api-Key zsk_<prefix>_<secret>`.

The request then runs as the integration's service user (`request.user`), with the key in
`request.auth`. Sessions are not accepted on data endpoints: a browser tab signed in to the
portal cannot call the API, and no CSRF question arises.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from .services import api_key_authenticate
from .throttling import key_failure_count, key_failures_blocked

KEYWORD = "Api-Key"


def _attach_audit_actor(user):
    """django-auditlog's middleware ran before the view knew the user: name the service user now."""
    from auditlog.context import auditlog_value

    try:
        context = auditlog_value.get()
    except LookupError:
        return
    if context.get("actor") is None:
        context["actor"] = user


class KeyFailuresThrottled(exceptions.Throttled):
    """429 for an address that presented too many invalid keys (Retry-After: the window's end)."""

    keep_message = True  # the envelope keeps this message, not the per-key limit's

    def __init__(self, wait):
        super().__init__(detail=_("API 密钥验证失败次数过多，请稍后再试。"))  # no wait: DRF would append English
        self.wait = wait


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() != KEYWORD.lower():
            return None
        wait = key_failures_blocked(request)
        if wait is not None:  # too many failed keys from this address: no key is checked until the window ends
            raise KeyFailuresThrottled(wait)
        if len(header) != 2:
            key_failure_count(request)
            raise exceptions.AuthenticationFailed(_("Authorization 请求头格式应为“Api-Key <密钥>”。"))
        try:
            presented = header[1].decode("ascii")
        except UnicodeDecodeError:
            presented = ""
        key = api_key_authenticate(presented)
        if key is None:
            key_failure_count(request)
            raise exceptions.AuthenticationFailed(_("API 密钥无效、已过期或已吊销。"))
        user = key.integration.service_user
        user.api_integration = key.integration
        _attach_audit_actor(user)
        return user, key

    def authenticate_header(self, request):
        return f'{KEYWORD} realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "“Api-Key zsk_…”：在管理后台“接入系统”中生成，只显示一次。",
        }

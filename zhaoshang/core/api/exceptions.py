"""One error envelope for every refusal: `{"error": {"code", "message", "fields"}}`, in Chinese.

DRF's own exceptions, Django's Http404 / PermissionDenied / ValidationError (the services raise
these with Chinese messages) and the reveal service's refusals all end up in the same shape, with
the status they mean. `fields` maps a field name (dotted for nested input) to its messages.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler


def envelope(code, message, fields=None):
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def json_error(status_code, code, message, fields=None):
    """A plain Django response with the envelope (URL misses, middleware refusals under /api/)."""
    return JsonResponse(envelope(code, message, fields), status=status_code, json_dumps_params={"ensure_ascii": False})


class Conflict(exceptions.APIException):
    """409: the request is well formed but clashes with what exists (查重)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

    def __init__(self, message, *, code="conflict", fields=None):
        super().__init__(detail=message, code=code)
        self.error_code = code
        self.fields = fields or {}


def _flatten(detail, prefix=""):
    """DRF error detail (nested dicts / lists) -> {"field.sub.0": ["message", ...]}."""
    out = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        for index, item in enumerate(detail):
            if item:
                out.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        items = detail if isinstance(detail, list) else [detail]
        out.setdefault(prefix or "non_field_errors", []).extend(str(item) for item in items)
    return out


# Our wording for DRF's generic refusals (DRF's own is English or terse).
DEFAULT_MESSAGES = {
    "not_authenticated": lambda: _("需要 API 密钥：请在请求头中提供“Authorization: Api-Key <密钥>”。"),
    "permission_denied": lambda: _("您无权执行此操作。"),
    "not_found": lambda: _("未找到该记录。"),
    "method_not_allowed": lambda: _("不支持该请求方法。"),
    "throttled": lambda: _("调用过于频繁，请稍后再试。"),
    "parse_error": lambda: _("请求内容不是有效的 JSON。"),
    "unsupported_media_type": lambda: _("请求内容类型不受支持，请使用 application/json。"),
    "not_acceptable": lambda: _("无法按 Accept 请求头要求的格式返回，仅支持 application/json。"),
}


class _Refusal(exceptions.APIException):
    """A refusal whose Chinese message comes from a service (kept as is)."""

    def __init__(self, status_code, code, message):
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.default_code = code
        self.keep_message = True


def _convert(exc):
    """Django exceptions (from gates and services) -> DRF exceptions with the same meaning."""
    from clients.services import RevealRefused

    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, RevealRefused):
        message = exc.messages[0]
        if exc.status == status.HTTP_400_BAD_REQUEST:
            return exceptions.ValidationError({"purpose": [message]})
        code = {404: "not_found", 429: "reveal_limit"}.get(exc.status, "permission_denied")
        return _Refusal(exc.status, code, message)
    if isinstance(exc, DjangoPermissionDenied):
        message = str(exc)
        return _Refusal(403, "permission_denied", message) if message else exceptions.PermissionDenied()
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            fields = {name: [str(m) for e in errors for m in e.messages] for name, errors in exc.error_dict.items()}
            return exceptions.ValidationError(fields)
        return _Refusal(400, "invalid", " ".join(exc.messages))
    return exc


def api_exception_handler(exc, context):
    exc = _convert(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real server error: Django's 500 handler answers (with the envelope under /api/)
    fields = {}
    if isinstance(exc, exceptions.ValidationError):
        code = "invalid"
        fields = _flatten(exc.detail)
        message = (fields.get("non_field_errors") or [_("请求内容有误，请按字段提示修改。")])[0]
    elif isinstance(exc, Conflict):
        code, message, fields = exc.error_code, str(exc.detail), exc.fields
    elif getattr(exc, "keep_message", False) or isinstance(exc, exceptions.AuthenticationFailed):
        code, message = exc.default_code, str(exc.detail)
    else:
        code = exc.default_code
        detail = str(exc.detail)
        default = DEFAULT_MESSAGES.get(code)
        custom = detail != str(type(exc).default_detail) and code in {"permission_denied", "not_found"}
        message = detail if custom or default is None else default()
    response.data = envelope(code, message, fields)
    return response

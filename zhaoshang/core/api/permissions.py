"""Who may call an endpoint: a valid key of an integration allowed the endpoint's scope, whose
service user holds the model permissions the portal would require for the same page.

Views declare `required_scope` and `required_perms`, either as a value or as a dict by HTTP
method. Object scope (which records) is then the business of `visible_to` and the gates.
"""

from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission


def _for_method(value, method):
    if isinstance(value, dict):
        return value.get(method)
    return value


class IntegrationScope(BasePermission):
    def has_permission(self, request, view):
        from integrations.models import ApiKey

        key = getattr(request, "auth", None)
        if not isinstance(key, ApiKey) or not request.user or not request.user.is_authenticated:
            return False
        scope = _for_method(getattr(view, "required_scope", None), request.method)
        if scope is None or not key.integration.allows(scope):
            self.message = _("该接入系统未获授权调用此接口（需要权限范围 %(scope)s）。") % {"scope": scope or "-"}
            return False
        perms = _for_method(getattr(view, "required_perms", ()), request.method) or ()
        if not all(request.user.has_perm(perm) for perm in perms):
            self.message = _("服务账号的角色无权执行此操作。")
            return False
        return True

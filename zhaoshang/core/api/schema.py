"""OpenAPI: every operation documents the error envelope for the refusals it can answer."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("机器可读的错误代码，如 invalid、not_found、throttled。"))
    message = serializers.CharField(help_text=_("中文说明。"))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("字段名 → 该字段的错误提示（嵌套字段以点号连接）。"),
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()

    class Meta:
        ref_name = "Error"


# Every operation may answer these; 404 only where the path names a record, 409 where declared.
COMMON_ERRORS = {
    "400": _("请求参数或内容有误（fields 给出各字段的提示）。"),
    "401": _("缺少 API 密钥，或密钥无效、已过期、已吊销。"),
    "403": _("接入系统未获该接口授权，或服务账号角色无权执行。"),
    "406": _("Accept 请求头要求的格式无法提供（仅 application/json）。"),
    "415": _("请求内容类型不受支持（仅 application/json）。"),
    "429": _("调用过于频繁（每个密钥每分钟限额）、同一地址的密钥验证失败次数过多，或当日查看明文次数已达上限。"),
}


class ApiAutoSchema(AutoSchema):
    """Our text only: Chinese summaries and descriptions given with `extend_schema`, never docstrings.

    Views' and serializers' docstrings are notes for developers, in English; drf-spectacular would
    show them as the operation's and the component's description on the docs page. An operation's
    description comes from `extend_schema(description=…)` (which overrides `get_description`).
    """

    def get_description(self):
        return ""

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        from drf_spectacular.drainage import get_override

        if not get_override(serializer, "description"):
            schema.pop("description", None)
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(COMMON_ERRORS)
        if "{" in self.path:
            errors["404"] = _("记录不存在，或不在该服务账号的数据范围内。")
        if self.method in ("POST", "PUT", "PATCH"):
            errors["405"] = _("不支持该请求方法。")
        for code, description in errors.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = str(description)
                responses[code] = response
        return responses

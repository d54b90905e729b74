"""Serializer pieces shared by the apps' API modules: masked personal values, staff and departments."""

from collections.abc import Mapping

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from privacy.crypto import DecryptionError
from zhaoshang.core.templatetags.people import staff_name


@extend_schema_field(OpenApiTypes.STR)
class MaskedField(serializers.Field):
    """A personal value as the portal shows it (138****5678): never the clear value.

    An erased person's value (shredded key) is the empty string.
    """

    def __init__(self, mask, **kwargs):
        self.mask = mask
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        try:
            return super().get_attribute(instance)
        except DecryptionError:
            return ""

    def to_representation(self, value):
        return self.mask(value) if value else ""


class StaffSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.SerializerMethodField()

    def get_display_name(self, user) -> str:
        return staff_name(user)


class DepartmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ChoiceLabelField(serializers.CharField):
    """The display label of a choice field (`source="get_stage_display"`)."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)


class StrictInputSerializer(serializers.Serializer):
    """Input typed as the schema says: a string field takes a JSON string only (DRF would turn the
    number 0 into "0"), so a client's type error is a 400, not a silent conversion."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            errors = {
                name: [_("须为字符串。")]
                for name, field in self.fields.items()
                if isinstance(field, serializers.CharField)
                and not field.read_only
                and data.get(name) is not None
                and not isinstance(data.get(name), str)
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)

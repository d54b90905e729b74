"""Serializer pieces shared by the apps' API modules: masked personal values, staff and departments."""

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

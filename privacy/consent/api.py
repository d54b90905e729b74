"""REST API: a contact's consent state per purpose, read-only and masked.

The contact comes through `clients.scopes.get_contact_for_user` (404 outside scope); the state is
`privacy.consent.services.consent_state`, the same rows the portal's contact page shows. Each read is an
access event naming the integration.
"""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from clients.models import Contact
from clients.scopes import get_contact_for_user
from integrations.models import Scope
from privacy.crypto import masking
from zhaoshang.core.api import tags as api_text
from zhaoshang.core.api.access import record_api_access
from zhaoshang.core.api.fields import MaskedField
from zhaoshang.core.api.views import ApiView

from .services import consent_state


class ConsentPurposeSerializer(serializers.Serializer):
    code = serializers.CharField(source="purpose.code")
    name = serializers.CharField(source="purpose.name")
    legal_basis = serializers.CharField(source="purpose.legal_basis")
    needs_consent = serializers.BooleanField()
    requires_separate_consent = serializers.BooleanField(source="purpose.requires_separate_consent")
    granted = serializers.BooleanField(help_text=gettext_lazy("当前有效的同意（已同意且未过重新同意期限）。"))
    separate = serializers.SerializerMethodField()
    needs_renewal = serializers.BooleanField()
    renewal_due_at = serializers.SerializerMethodField()
    changed_at = serializers.SerializerMethodField()
    policy_version = serializers.SerializerMethodField()

    def get_separate(self, row) -> bool:
        return bool(row["state"] and row["state"].separate)

    def get_renewal_due_at(self, row) -> str | None:
        state = row["state"]
        return state.renewal_due_at.isoformat() if state and state.renewal_due_at else None

    def get_changed_at(self, row) -> str | None:
        state = row["state"]
        return state.changed_at.isoformat() if state else None

    def get_policy_version(self, row) -> str | None:
        state = row["state"]
        return state.policy.version if state and state.policy_id else None


class ContactRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = MaskedField(masking.mask_name)
    enterprise_id = serializers.IntegerField()


class ContactConsentSerializer(serializers.Serializer):
    contact = ContactRefSerializer()
    purposes = ConsentPurposeSerializer(many=True)


class ContactConsentView(ApiView):
    required_scope = Scope.CONSENT_READ
    required_perms = ["clients.view_contact", "privacy.view_consentevent"]
    serializer_class = ContactConsentSerializer
    queryset = Contact.objects.none()

    @extend_schema(summary=gettext_lazy("联系人各用途的同意状态（只读，已脱敏）"), tags=[api_text.CONTACTS])
    def get(self, request, pk):
        contact = get_contact_for_user(request.user, pk)
        rows = consent_state(contact)
        record_api_access(request, "view", contact, purpose=str(gettext_lazy("查询同意状态")), subject_ids=[contact.pk])
        return Response(ContactConsentSerializer({"contact": contact, "purposes": rows}).data)

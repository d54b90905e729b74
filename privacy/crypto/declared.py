"""The fields that hold a natural person's personal information, declared once.

Every one of them must be encrypted at rest (DESIGN: "Personal data and encryption"); the PIPL
scorecard's row 51 checks this list against the models, so a declared field that is a plain column
shows red. A concern that adds a personal field adds it here ("app_label.Model.field").
"""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from .fields import EncryptedField

PERSONAL_FIELDS = (
    "clients.Contact.name",
    "clients.Contact.mobile",
    "clients.Contact.email",
    "clients.Contact.wechat",
    "clients.Contact.id_number",
    "clients.FollowUp.summary",
    "clients.FollowUp.participants",
    "privacy.SubjectRequest.details",
    "privacy.Partner.contact_person",
    "privacy.Partner.contact_phone",
    "privacy.Partner.contact_email",
    "complaints.Complaint.complainant_name",
    "complaints.Complaint.complainant_phone",
    "complaints.Complaint.complainant_email",
    "complaints.Complaint.description",
    "complaints.Complaint.satisfaction_comment",
    "integrations.Integration.contact",
)


def check_declared(declared=PERSONAL_FIELDS):
    """(encrypted, plain, missing): declared fields that are encrypted, that are plain columns,
    and that name no installed model field (a concern not installed, or a renamed field)."""
    encrypted, plain, missing = [], [], []
    for dotted in declared:
        label, _sep, name = dotted.rpartition(".")
        try:
            field = apps.get_model(label)._meta.get_field(name)
        except (LookupError, ValueError, FieldDoesNotExist):
            missing.append(dotted)
            continue
        (encrypted if isinstance(field, EncryptedField) else plain).append(dotted)
    return encrypted, plain, missing

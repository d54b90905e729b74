from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# One Django app, its code grouped by concern (privacy/crypto, consent, selfservice, retention,
# requests). Each concern registers its own models for the change trail (its `audit.py`, a list
# AUDITED_MODELS) and its own retention categories (`@register` in its retention module); these
# lists name the modules the app loads. A new concern adds its modules here. A registration that
# names a model that does not exist stops start-up (ImproperlyConfigured).
AUDIT_MODULES = [
    "privacy.consent.audit",
    "privacy.selfservice.audit",
    "privacy.retention.audit",
    "privacy.requests.audit",
    "privacy.sharing.audit",
    "privacy.assessments.audit",
    "privacy.incidents.audit",
    "privacy.training.audit",
    "privacy.review.audit",
]
RETENTION_MODULES = [
    "privacy.retention.categories",  # records of the other apps: contacts, follow-ups, complaints, …
    "privacy.consent.retention",
    "privacy.selfservice.retention",
    "privacy.assessments.retention",
    "privacy.requests.retention_packages",
    "privacy.requests.retention",  # [H] request records lose their personal data after SUBJECT_REQUEST_KEEP_DAYS
    "privacy.incidents.retention",
    "privacy.training.retention",
]
TASK_MODULES = [
    "privacy.retention.tasks",
    "privacy.sharing.tasks",
    "privacy.requests.tasks",
    "privacy.incidents.tasks",
    "privacy.review.tasks",
    "privacy.scorecard.tasks",
]  # Celery's autodiscovery looks for privacy.tasks only


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("个人信息保护")

    def ready(self):
        import sys

        from django.conf import settings

        # A malformed master key fails start-up here, not at the first page that decrypts.
        if settings.FIELD_ENCRYPTION_KEYS and sys.argv[1:2] != ["createkeys"]:
            from .crypto.keyring import get_keyring

            get_keyring()

        from .retention.base import check_registered

        for module in RETENTION_MODULES + TASK_MODULES:
            import_module(module)
        check_registered()

        from zhaoshang.core.dashboard import register_panel

        from .dashboard import privacy_officer_panel

        register_panel(privacy_officer_panel)

        from .sharing.reminders import register_kinds

        register_kinds()  # [I] reminder kinds, once the notification mechanism is present

        from .requests.erasure import register_kinds as register_erasure_kinds

        register_erasure_kinds()  # [H] notices to the recipients of an erased person's data

        from .requests.kinds import register_kinds as register_request_kinds

        register_request_kinds()  # [H] request assigned, due, overdue

        from .incidents.reminders import register_kinds as register_incident_kinds

        register_incident_kinds()  # [J] incidents, drills, training

        from .review.services import register_review_kinds

        register_review_kinds()

    def audited_models(self):
        """(label, options) of every privacy model in the change trail (`audit.registry`)."""
        table = [("privacy.SubjectKey", {})]  # privacy/crypto's key table; key columns excluded by name
        for module in AUDIT_MODULES:
            table += import_module(module).AUDITED_MODELS
        return table

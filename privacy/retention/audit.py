"""Retention's models in the change trail (django-auditlog), read by `PrivacyConfig.audited_models`."""

AUDITED_MODELS = [
    ("privacy.RetentionRule", {}),
    ("privacy.LegalHold", {}),
    ("privacy.PurgeRun", {}),
]

"""Data-subject requests in the change trail (django-auditlog), read by `PrivacyConfig.audited_models`."""

AUDITED_MODELS = [
    ("privacy.SubjectRequest", {}),  # encrypted details: masked with a constant
]

"""Data-subject requests in the change trail (django-auditlog), read by `PrivacyConfig.audited_models`."""

AUDITED_MODELS = [
    ("privacy.SubjectRequest", {}),  # encrypted details: masked with a constant
    ("privacy.SubjectRequestEvent", {}),  # the timeline; its message is encrypted under the request's key
]

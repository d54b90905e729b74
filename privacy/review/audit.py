"""Policy and law review models in the change trail (django-auditlog), read by `PrivacyConfig.audited_models`."""

AUDITED_MODELS = [
    ("privacy.PolicyReview", {}),
    ("privacy.LawEntry", {}),
]

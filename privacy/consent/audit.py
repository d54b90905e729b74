"""Consent's models in the change trail (django-auditlog), read by `PrivacyConfig.audited_models`."""

AUDITED_MODELS = [
    ("privacy.Purpose", {}),
    ("privacy.PrivacyPolicy", {}),
    ("privacy.ConsentEvent", {}),
]

"""Impact assessments' models in the change trail (django-auditlog), read by `PrivacyConfig.audited_models`."""

AUDITED_MODELS = [
    ("privacy.ImpactAssessment", {"m2m_fields": {"purposes"}}),
    ("privacy.Risk", {}),
    ("privacy.Mitigation", {}),
]

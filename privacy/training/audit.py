"""Training's models in the change trail (a partner's staff name is encrypted and masked)."""

AUDITED_MODELS = [
    ("privacy.Course", {"exclude_fields": ["material"]}),
    ("privacy.Completion", {}),
    ("privacy.Recognition", {}),
]

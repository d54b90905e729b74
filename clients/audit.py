"""[L] The clients models added by the targets and funds work, in the change trail (django-auditlog),
read by `ClientsConfig.audited_models` (the older clients models are listed in audit.registry)."""

AUDITED_MODELS = [
    ("clients.Target", {}),
    ("clients.FundTranche", {}),
    ("clients.MilestonePlan", {}),
]

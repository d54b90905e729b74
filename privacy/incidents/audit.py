"""Incidents' models in the change trail (django-auditlog), read by `PrivacyConfig.audited_models`.

The set of affected people (IncidentSubject) and the notifications are bulk-written and are
themselves a record; the incident row keeps their count and the selection."""

AUDITED_MODELS = [
    ("privacy.Incident", {}),
    ("privacy.ContainmentTask", {}),
    ("privacy.Drill", {}),
]

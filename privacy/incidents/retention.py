"""Incidents' retention category: an incident (with its set of affected people, notifications,
tasks and timeline, deleted with it) is kept for the rule's period after it is CLOSED; an open
incident has no `closed_at` and is never a candidate."""

from privacy.retention.base import _CreatedAtRows, register
from privacy.retention.models import RetentionCategory


@register
class IncidentRecords(_CreatedAtRows):
    code = RetentionCategory.INCIDENT_RECORDS
    model_label = "privacy.Incident"
    created_field = "closed_at"  # NULL while open: `closed_at < cutoff` never matches it

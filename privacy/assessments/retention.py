"""Impact assessments' retention category: kept at least three years after they END (PIPL Art. 56).

The clock is `ended_at` (closed or replaced); an assessment in force has none and is never a
candidate. The rule's period can never go below the floor (`RETENTION_FLOORS`: three years),
enforced by the rule's clean(), a database constraint and the engine's cut-off. Deleting an
assessment deletes its risks and mitigations with it; shares keep its reference number.
"""

from privacy.retention.base import _CreatedAtRows, register
from privacy.retention.models import RetentionCategory


@register
class ImpactAssessments(_CreatedAtRows):
    code = RetentionCategory.IMPACT_ASSESSMENTS
    model_label = "privacy.ImpactAssessment"
    created_field = "ended_at"  # NULL while in force: `ended_at < cutoff` never matches it

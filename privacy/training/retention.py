"""Training records' retention category: a completion (a partner's staff member's name in it is
personal information) is kept for the rule's period after its validity ends (`expires_on`)."""

from privacy.retention.base import _CreatedAtRows, register
from privacy.retention.models import RetentionCategory


@register
class TrainingRecords(_CreatedAtRows):
    code = RetentionCategory.TRAINING_RECORDS
    model_label = "privacy.Completion"
    created_field = "expires_on"

    def _expired(self, rule, now, probe=False):
        return self.model._base_manager.filter(expires_on__lt=rule.cutoff(now).date())

"""Self-service's retention category: links that no longer work, issued long enough ago."""

from django.db.models import OuterRef, Q

from privacy.retention import restrictions
from privacy.retention.base import Category, _raw_delete, register
from privacy.retention.models import RetentionCategory
from zhaoshang.core.db import any_of


@register
class SelfServiceTokens(Category):
    """Self-service links issued before the cut-off that no longer work (expired or revoked)."""

    code = RetentionCategory.SELFSERVICE_TOKENS
    model_label = "privacy.SelfServiceLink"

    def _expired(self, rule, now, probe=False):
        return self.model._base_manager.filter(issued_at__lt=rule.cutoff(now)).filter(
            Q(revoked_at__isnull=False) | Q(expires_at__lt=now)
        )

    keyed = False

    def _held(self, now):
        return restrictions.contact_held(OuterRef("contact_id"), now)

    def _held_fast(self, held):
        return held.contact_q("contact__")

    def delete(self, ids, *, using, reference):
        return _raw_delete(self.model._base_manager.using(using).filter(any_of("pk", ids)))

    anonymise = delete

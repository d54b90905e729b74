"""Consent's retention category: the history of a (contact, purpose, recipient) finally withdrawn long enough ago.

A purpose that provides to others has one consent per recipient ([I]): each recipient's history is
its own — withdrawing from one recipient never ends (nor purges) the consent given to another.
"""

from django.apps import apps
from django.db.models import Exists, OuterRef, Q
from django.db.models.lookups import IsNull

from privacy.retention import restrictions
from privacy.retention.base import Category, _delete_files, _raw_delete, _redact, ledger_purge_allowed, register
from privacy.retention.models import RetentionCategory
from zhaoshang.core.db import any_of


def _same_recipient():
    """The row's recipient is the outer row's (both empty counts as the same)."""
    return Q(recipient=OuterRef("recipient_id")) | (
        Q(recipient__isnull=True) & Q(IsNull(OuterRef("recipient_id"), True))
    )


@register
class ConsentEvidence(Category):
    """Consent history of a (contact, purpose) whose last event is a withdrawal older than the period."""

    code = RetentionCategory.CONSENT_EVIDENCE
    model_label = "privacy.ConsentEvent"

    def _expired(self, rule, now, probe=False):
        Event = self.model
        later = Event._base_manager.filter(
            _same_recipient(), contact=OuterRef("contact_id"), purpose=OuterRef("purpose_id"), pk__gt=OuterRef("pk")
        )
        final_withdrawals = Event._base_manager.filter(action="withdrawn", at__lt=rule.cutoff(now)).filter(
            ~Exists(later)
        )
        return Event._base_manager.filter(
            Exists(
                final_withdrawals.filter(
                    _same_recipient(), contact=OuterRef("contact_id"), purpose=OuterRef("purpose_id")
                )
            )
        )

    keyed = False

    def _held(self, now):
        return restrictions.contact_held(OuterRef("contact_id"), now)

    def _held_fast(self, held):
        return held.contact_q("contact__")

    def delete(self, ids, *, using, reference):
        Event = self.model
        State = apps.get_model("privacy", "ConsentState")
        Separate = apps.get_model("privacy", "SeparateConsent")
        _redact(objects=[("privacy.ConsentEvent", pk) for pk in ids], reference=reference)
        events = Event._base_manager.using(using).filter(any_of("pk", ids))
        files = list(events.exclude(evidence="").values_list("evidence", flat=True))
        ledger_purge_allowed(using)
        _raw_delete(State._base_manager.using(using).filter(any_of("last_event", ids)))
        _raw_delete(Separate._base_manager.using(using).filter(any_of("event", ids)))
        count = _raw_delete(events)
        _delete_files(files, Event._meta.get_field("evidence").storage)
        return count

    anonymise = delete  # the category is delete-only (a rule saved otherwise fails clean())

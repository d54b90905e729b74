"""Queries the purge compiles once per rule (`retention.Prepared`): same rows as the queryset for
any ids, and the re-check still sees holds placed after it was compiled."""

import pytest
from django.db import transaction
from django.utils import timezone

from privacy.retention import restrictions
from privacy.retention.base import CATEGORIES
from privacy.retention.prepared import Prepared
from privacy.retention.services import legal_hold_place

from . import retention_factories as f

pytestmark = pytest.mark.django_db


def _contacts(ids, above=0):
    from clients.models import Contact

    return (
        Contact._base_manager.filter(pk__in=list(ids), pk__gt=above)
        .exclude(restrictions.contacts_held_q(timezone.now()))
        .order_by("pk")
    )


def test_prepared_query_returns_what_the_queryset_returns_for_other_ids():
    from clients.models import Contact
    from zhaoshang.core.db import any_of

    _ent, people = f.expired_contacts(6)
    pks = [c.pk for c in people]

    def build(ids, above):
        return (
            Contact._base_manager.filter(any_of("pk", ids), pk__gt=above)
            .exclude(restrictions.contacts_held_q(timezone.now()))
            .order_by("pk")
        )

    flat = Prepared(lambda ids, above: build(ids, above).values_list("pk", flat=True), "default")
    pairs = Prepared(lambda ids, above: build(ids, above).values_list("pk", "enterprise_id"), "default")
    for ids, above in ((pks[:2], 0), (pks, pks[2]), ([], 0), (pks[3:], pks[4]), ([pks[5], pks[0]], 0)):
        assert flat(ids, above) == list(_contacts(ids, above).values_list("pk", flat=True))
        assert pairs(ids, above) == list(_contacts(ids, above).values_list("pk", "enterprise_id"))
    assert flat.compiled and pairs.compiled  # compiled once, not rebuilt


def test_an_argument_the_sql_does_not_carry_falls_back_to_building_the_queryset():
    from clients.models import Contact

    _ent, people = f.expired_contacts(3)
    query = Prepared(lambda ids: Contact._base_manager.filter(pk=people[0].pk).values_list("pk", flat=True), "default")
    assert query([people[1].pk]) == [people[0].pk]
    assert query.compiled is False


def test_the_recheck_sees_a_hold_placed_after_its_query_was_compiled(dpo):
    f.only_rules("terminated-contacts")
    from privacy.models import RetentionRule

    rule = RetentionRule.objects.get(code="terminated-contacts")
    _ent, people = f.expired_contacts(3)
    other, more = f.expired_contacts(2)
    ids = [c.pk for c in people + more]
    category, cache, now = CATEGORIES[rule.category], {}, timezone.now()
    with transaction.atomic():
        assert category.still_due(rule, ids, now, using="default", cache=cache) == ids
        assert cache  # the re-check queries are prepared now
        legal_hold_place(user=dpo, reason="诉讼保全", contact=people[1])
        assert category.still_due(rule, ids, now, using="default", cache=cache) == [
            people[0].pk,
            people[2].pk,
            *[c.pk for c in more],
        ]
        legal_hold_place(user=dpo, reason="调查", enterprise=other)
        assert category.still_due(rule, ids, now, using="default", cache=cache) == [people[0].pk, people[2].pk]


def test_the_followup_recheck_sees_a_project_hold_placed_after_its_query_was_compiled(dpo):
    from privacy.models import RetentionRule

    f.only_rules("followup-notes")
    rule = RetentionRule.objects.get(code="followup-notes")
    ent = f.enterprise()
    a, b = f.project(ent), f.project(f.enterprise())
    notes = [f.followup(a), f.followup(a), f.followup(b)]
    ids = [n.pk for n in notes]
    category, cache, now = CATEGORIES[rule.category], {}, timezone.now()
    with transaction.atomic():
        assert category.still_due(rule, ids, now, using="default", cache=cache) == ids
        legal_hold_place(user=dpo, reason="审计", project=a)
        assert category.still_due(rule, ids, now, using="default", cache=cache) == [notes[2].pk]

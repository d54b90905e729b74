"""Legal holds and restrictions: held data is never purged; while restricted only storage is allowed."""

import datetime

import pytest
from django.utils import timezone

from privacy.models import LegalHold
from privacy.retention.restrictions import ProcessingRestricted, ensure_not_restricted
from privacy.retention.services import legal_hold_place, legal_hold_release

from . import retention_factories as f

pytestmark = pytest.mark.django_db


def _name(contact):
    from clients.models import Contact

    return Contact.objects.get(pk=contact.pk).name


@pytest.mark.parametrize("target", ["contact", "enterprise", "project"])
def test_held_contacts_are_not_purged(dpo, target):
    f.only_rules("terminated-contacts")
    ent, (held, other) = f.expired_contacts(2)
    obj = {"contact": held, "enterprise": ent, "project": ent.projects.get()}[target]
    legal_hold_place(user=dpo, reason="诉讼保全", **{target: obj})
    run = f.run_purge()
    assert _name(held) == held.name
    if target == "contact":
        assert _name(other) == ""  # a hold on one contact does not hold the others
        assert run.counts["terminated-contacts"]["held"] == 1
    else:
        assert _name(other) == other.name


def test_the_case_flag_holds_too():
    from clients.models import Contact

    f.only_rules("terminated-contacts")
    _ent, (c,) = f.expired_contacts(1)
    Contact.objects.filter(pk=c.pk).update(legal_hold=True)
    f.run_purge()
    assert _name(c) == c.name


def test_released_or_lapsed_hold_no_longer_protects(dpo):
    f.only_rules("terminated-contacts")
    _ent, (a, b) = f.expired_contacts(2)
    hold = legal_hold_place(user=dpo, reason="调查", contact=a)
    legal_hold_place(user=dpo, reason="调查", contact=b, until=timezone.now() + datetime.timedelta(days=1))
    LegalHold.objects.filter(contact=b).update(until=timezone.now() - datetime.timedelta(minutes=1))
    legal_hold_release(hold_id=hold.pk, user=dpo, note="案件已结")
    f.run_purge()
    assert _name(a) == "" and _name(b) == ""


def test_held_followups_and_complaint_contacts_are_kept(dpo):
    from clients.models import FollowUp

    f.only_rules("followup-notes")
    ent = f.enterprise()
    proj = f.project(ent)
    note = f.followup(proj)
    held_contact = f.contact(ent)
    legal_hold_place(user=dpo, reason="投诉调查", contact=held_contact)
    f.run_purge()
    assert FollowUp.objects.get(pk=note.pk).summary == note.summary  # the note may name the held contact


@pytest.mark.parametrize("use", ["reveal", "export", "outreach", "sharing"])
def test_restricted_contact_refuses_every_use_but_storage(dpo, use):
    ent, (c,) = f.expired_contacts(1)
    ensure_not_restricted(c, use)  # no hold: allowed
    legal_hold_place(user=dpo, reason="个人请求限制处理", kind=LegalHold.Kind.RESTRICTION, enterprise=ent)
    with pytest.raises(ProcessingRestricted) as exc:
        ensure_not_restricted(c, use)
    assert "限制处理" in exc.value.message and "除存储外" in exc.value.message


def test_project_hold_restricts_its_followups(dpo):
    ent = f.enterprise()
    proj = f.project(ent, stage="negotiation")
    note = f.followup(proj)
    legal_hold_place(user=dpo, reason="审计", project=proj)
    with pytest.raises(ProcessingRestricted):
        ensure_not_restricted(note, "export")
    ensure_not_restricted(f.project(ent), "export") is None or pytest.fail()


def test_a_hold_names_exactly_one_target(dpo):
    from django.core.exceptions import ValidationError

    ent, (c,) = f.expired_contacts(1)
    with pytest.raises(ValidationError):
        legal_hold_place(user=dpo, reason="x", enterprise=ent, contact=c)


def test_releasing_twice_is_refused(dpo):
    from django.core.exceptions import ValidationError

    _ent, (c,) = f.expired_contacts(1)
    hold = legal_hold_place(user=dpo, reason="x", contact=c)
    legal_hold_release(hold_id=hold.pk, user=dpo, note="结束")
    with pytest.raises(ValidationError):
        legal_hold_release(hold_id=hold.pk, user=dpo, note="再次")


def test_reveal_service_refuses_a_restricted_contact_with_the_message(dpo):
    from clients import services

    _ent, (c,) = f.expired_contacts(1)
    assert services.contact_reveal(user=dpo, contact=c, field="mobile", purpose="核实") == c.mobile
    legal_hold_place(user=dpo, reason="限制处理请求", kind=LegalHold.Kind.RESTRICTION, contact=c)
    with pytest.raises(services.RevealRefused) as exc:
        services.contact_reveal(user=dpo, contact=c, field="mobile", purpose="核实")
    assert "除存储外" in exc.value.messages[0]


def test_contact_export_leaves_restricted_contacts_out(dpo):
    from django.test import RequestFactory

    from clients.views.excel import _export_queryset

    ent, (kept, restricted) = f.expired_contacts(2)
    legal_hold_place(user=dpo, reason="限制处理请求", kind=LegalHold.Kind.RESTRICTION, contact=restricted)
    request = RequestFactory().get("/", {"enterprise": ent.pk})
    request.user = dpo
    queryset, _filters = _export_queryset(request, "contact")
    assert list(queryset.values_list("pk", flat=True)) == [kept.pk]


@pytest.mark.parametrize("how", ["legal_hold_row", "enterprise_flag"])
def test_a_hold_placed_while_the_run_goes_on_still_protects(dpo, settings, how):
    """Claims exclude holds read once per rule; each claimed batch is re-checked exactly."""
    from clients.models import Enterprise

    settings.PURGE_BATCH_SIZE = 2
    f.only_rules("terminated-contacts")
    _first, early = f.expired_contacts(2)
    later_ent, later = f.expired_contacts(2)

    def hold_after_first_batch(*, rule, batch, ids):
        if batch == 1:
            if how == "legal_hold_row":
                legal_hold_place(user=dpo, reason="诉讼保全", contact=later[1])
            else:
                Enterprise.objects.filter(pk=later_ent.pk).update(legal_hold=True)

    run = f.run_purge(on_batch=hold_after_first_batch)
    assert all(_name(c) == "" for c in early)
    assert _name(later[1]) == later[1].name
    expected = 3 if how == "legal_hold_row" else 2
    assert run.counts["terminated-contacts"]["processed"] == expected
    assert later[1].pk not in f.purged_ids_from_audit("terminated-contacts")


def test_held_count_and_estimate_read_holds_by_id(dpo):
    from privacy.models import RetentionRule
    from privacy.retention.base import CATEGORIES
    from privacy.retention.engine import estimate
    from privacy.retention.restrictions import HeldSets

    f.only_rules("terminated-contacts", "followup-notes")
    ent, (a, b) = f.expired_contacts(2)
    note = f.followup(ent.projects.get())
    other, (c,) = f.expired_contacts(1)
    f.followup(other.projects.get())
    legal_hold_place(user=dpo, reason="调查", contact=a)
    now = timezone.now()
    held = HeldSets(now)
    contacts = RetentionRule.objects.get(code="terminated-contacts")
    notes = RetentionRule.objects.get(code="followup-notes")
    category = CATEGORIES[contacts.category]
    # a hold on a contact holds its enterprise's projects' notes, not the enterprise's other contacts
    assert category.held_count(contacts, now, held) == category.held_count(contacts, now) == 1
    assert estimate(contacts, now, held) == estimate(contacts, now) == 2
    assert set(CATEGORIES[notes.category].candidates(notes, now, held).values_list("pk", flat=True)) == set(
        CATEGORIES[notes.category].candidates(notes, now).values_list("pk", flat=True)
    )
    assert note.pk not in CATEGORIES[notes.category].candidates(notes, now, held).values_list("pk", flat=True)
    assert {b.pk, c.pk} == set(category.candidates(contacts, now, held).values_list("pk", flat=True))

"""The consent coverage tally (privacy/consent/tallies.py): PostgreSQL's triggers keep the number of
contacts and of consent states per purpose equal to a fresh count, and scorecard row 13–14 reads it
and gives what counting live gives."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from clients.models import Contact
from privacy.consent import services as consent
from privacy.consent.scorecard import _live_counts, active_purposes, consent_coverage
from privacy.consent.tallies import counts
from privacy.models import Channel, ConsentCoverage, ConsentState
from zhaoshang.core import tallies

from . import sharing_factories as f

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="tallies are kept by PostgreSQL"),
]


def asked_purposes():
    return [p for p in active_purposes() if not p.provides_to_others and p.needs_consent]


def test_contacts_and_states_are_counted_through_every_write(make_contact):
    purpose = asked_purposes()[0]
    people = [make_contact() for _ in range(3)]
    assert tallies.check_all() == {}
    assert counts()[0] == Contact.objects.count() == 3
    for person in people[:2]:
        consent.consent_grant(contact=person, purpose=purpose, channel=Channel.SELFSERVICE)
    consent.consent_withdraw(contact=people[0], purpose=purpose, channel=Channel.PHONE)
    assert counts()[1][purpose.pk] == 2  # a withdrawal changes the state, not the count
    assert tallies.check_all() == {}
    # A state removed (as the consent purge does) and a person never asked deleted.
    ConsentState.objects.filter(contact=people[1]).delete()
    Contact.objects.filter(pk=people[2].pk).delete()
    assert counts() == (2, {purpose.pk: 1})
    ConsentState.objects.filter(contact=people[0]).update(purpose=asked_purposes()[-1])
    assert tallies.check_all() == {}


def test_row_13_reads_the_tally_and_agrees_with_the_live_count(make_contact):
    purposes = asked_purposes()
    people = [make_contact() for _ in range(4)]
    for person in people[:3]:
        for purpose in purposes:
            consent.consent_grant(contact=person, purpose=purpose, channel=Channel.SELFSERVICE)
    total, asked = _live_counts(purposes)
    assert counts()[0] == total and all(counts()[1].get(p.pk, 0) == asked.get(p.pk, 0) for p in purposes)
    assert consent_coverage().figures["percent"] == 75.0
    # The row reads the tally: a tally that says otherwise changes the figure.
    ConsentCoverage.objects.create(purpose=None, n=2)  # 6 contacts, says the tally
    assert consent_coverage().figures["percent"] == 50.0
    with pytest.raises(CommandError):
        call_command("tallies")
    call_command("tallies", "--rebuild")
    assert consent_coverage().figures["percent"] == 75.0


def test_purposes_with_recipients_are_not_counted(dpo, make_contact):
    partner, _agreement, _assessment, purpose = f.ready(dpo)
    f.grant_for(make_contact(), purpose, partner)
    assert ConsentState.objects.filter(purpose=purpose, recipient=partner).exists()
    assert purpose.pk not in counts()[1]
    assert tallies.check_all() == {}


def test_compacting_folds_the_rows_and_keeps_the_counts(make_contact):
    purpose = asked_purposes()[0]
    for person in [make_contact() for _ in range(3)]:
        consent.consent_grant(contact=person, purpose=purpose, channel=Channel.SELFSERVICE)
    before = counts()
    assert ConsentCoverage.objects.filter(purpose__isnull=True).count() > 1  # a row per statement
    tallies.compact_all()
    assert counts() == before
    assert ConsentCoverage.objects.filter(purpose__isnull=True).count() == 1
    assert ConsentCoverage.objects.filter(purpose=purpose).count() == 1
    assert tallies.check_all() == {}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_long_import_never_makes_another_officers_new_contact_wait(make_contact):
    """Both transactions add a contact: neither waits for the other's count (a counter row updated
    in place would hold the second until the first commits)."""
    import threading

    from django.db import connections, transaction

    started, release, failures = threading.Event(), threading.Event(), []

    def importer():
        try:
            with transaction.atomic():
                make_contact()
                started.set()
                release.wait(15)
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            failures.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=importer)
    thread.start()
    try:
        assert started.wait(15)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '3s'")
            make_contact()
    finally:
        release.set()
        thread.join(20)
    assert failures == []
    assert counts()[0] == Contact.objects.count() == 2
    assert tallies.check_all() == {}

"""Crypto-shredding: once a subject's key is destroyed nothing of it can be read, copies included."""

import pytest
from django.db import transaction

from privacy.crypto import Sealed, SubjectKeyShredded, shred_subject
from privacy.models import SubjectKey
from tests.crypto_testapp.models import Note, Person

from .crypto_helpers import PERSONAL, make_note, make_person, raw_rows

pytestmark = pytest.mark.django_db
FIELDS = ("name", "mobile", "email", "wechat", "id_number")


def _from_copy(row):
    """A Person rebuilt from a raw copy of its row (an export, a dump of the data table)."""
    pk, subject_key_id, *tokens = row
    person = Person(pk=pk, subject_key_id=subject_key_id)
    for name, token in zip(FIELDS, tokens, strict=True):
        setattr(person, name, Sealed(token))
    return person


def test_shredding_makes_a_copy_taken_before_unreadable():
    person, other = make_person(), make_person(name="旁人")
    [copy, _other_copy] = raw_rows(Person, "id", "subject_key_id", *FIELDS)
    assert _from_copy(copy).name == PERSONAL["name"]  # the copy reads before
    assert shred_subject(person) == 1
    for name in FIELDS:
        with pytest.raises(SubjectKeyShredded):
            getattr(_from_copy(copy), name)
        with pytest.raises(SubjectKeyShredded):
            getattr(Person.objects.get(pk=person.pk), name)
    assert Person.objects.get(pk=other.pk).name == "旁人"


def test_shredding_clears_blind_indexes_and_the_in_memory_object():
    person = make_person()
    person.name  # noqa: B018
    shred_subject(person)
    assert Person.objects.values_list("mobile_bidx", "email_bidx").get() == (None, None)
    assert not Person.objects.search_mobile(PERSONAL["mobile"]).exists()
    assert "name" not in person.__dict__ and person.mobile_bidx is None
    with pytest.raises(SubjectKeyShredded):
        person.name  # noqa: B018
    key = SubjectKey.objects.get(pk=person.subject_key_id)
    assert key.is_shredded and key.shredded_at is not None


def test_shredding_a_person_reaches_the_records_it_owns():
    person, other = make_person(), make_person()
    notes = [make_note(person), make_note(person)]
    kept = make_note(other)
    [note_copy, *_rest] = raw_rows(Note, "id", "subject_key_id", "text")
    assert shred_subject(person) == 3
    for note in notes:
        with pytest.raises(SubjectKeyShredded):
            Note.objects.get(pk=note.pk).text  # noqa: B018
    copy = Note(pk=note_copy[0], subject_key_id=note_copy[1], person=person, text=Sealed(note_copy[2]))
    with pytest.raises(SubjectKeyShredded):
        copy.text  # noqa: B018
    assert Note.objects.get(pk=kept.pk).text


def test_shredding_only_the_record_or_by_key():
    person = make_person()
    note = make_note(person)
    assert shred_subject(note) == 1
    assert Person.objects.get(pk=person.pk).name == PERSONAL["name"]
    assert shred_subject(SubjectKey.objects.get(pk=person.subject_key_id), cascade=False) == 1
    assert Person.objects.values_list("mobile_bidx", flat=True).get() is None
    assert shred_subject(person) == 0  # idempotent


def test_deleting_a_row_shreds_its_key_and_its_owned_records_keys():
    person = make_person()
    make_note(person)
    key_ids = set(SubjectKey.objects.values_list("pk", flat=True))
    person.delete()
    assert SubjectKey.objects.filter(pk__in=key_ids, wrapped_key__isnull=True).count() == 2


def test_a_shredded_row_cannot_take_new_personal_data():
    person = make_person()
    shred_subject(person)
    fresh = Person.objects.get(pk=person.pk)
    fresh.name = "新数据"
    with pytest.raises(SubjectKeyShredded), transaction.atomic():
        fresh.save()
    fresh = Person.objects.get(pk=person.pk)
    fresh.city = "丽水"  # plain fields still save; the ciphertext stays as it was
    fresh.save()
    assert Person.objects.get(pk=person.pk).city == "丽水"

"""Key rotation: re-wrap data keys only, resumable, checkable; blind-index recomputation."""

import io

import pytest
from django.core.management import CommandError, call_command

from audit.models import AccessEvent
from privacy.crypto import DecryptionError, rotation, shred_subject
from privacy.models import SubjectKey
from tests.crypto_testapp.models import Note, Person

from .crypto_helpers import PERSONAL, b64key, make_note, make_person, master_entry, raw_rows

pytestmark = pytest.mark.django_db
FIELDS = ("name", "mobile", "email", "wechat", "id_number")


@pytest.fixture
def old_and_new(settings):
    """Data under the configured key `test1`, then a new master key `k2` in front of it."""
    old = settings.FIELD_ENCRYPTION_KEYS
    people = [make_person(name=f"旋转{i}") for i in range(5)]
    make_note(people[0])
    new = master_entry("k2")
    settings.FIELD_ENCRYPTION_KEYS = f"{new},{old}"
    return {"old": old, "new": new, "people": people}


def _rotate(*args):
    out = io.StringIO()
    call_command("rotate_keys", *args, stdout=out)
    return out.getvalue()


def test_rotation_rewraps_keys_and_leaves_ciphertext_alone(settings, old_and_new):
    before_people, before_notes = raw_rows(Person, *FIELDS), raw_rows(Note, "text")
    wrapped_before = dict(SubjectKey.objects.values_list("pk", "wrapped_key"))
    output = _rotate()
    assert "6" in output and "k2" in output
    assert set(SubjectKey.objects.values_list("master_key_id", flat=True)) == {"k2"}
    assert all(key.rotated_at for key in SubjectKey.objects.all())
    wrapped_after = dict(SubjectKey.objects.values_list("pk", "wrapped_key"))
    assert all(bytes(wrapped_after[pk]) != bytes(wrapped_before[pk]) for pk in wrapped_before)
    assert raw_rows(Person, *FIELDS) == before_people
    assert raw_rows(Note, "text") == before_notes
    settings.FIELD_ENCRYPTION_KEYS = old_and_new["new"]  # the old master key retired
    assert [p.name for p in Person.objects.order_by("pk")] == [f"旋转{i}" for i in range(5)]
    assert Note.objects.get().text
    assert Person.objects.search_mobile(PERSONAL["mobile"]).count() == 5


def test_without_rotation_retiring_the_old_key_breaks_reads(settings, old_and_new):
    settings.FIELD_ENCRYPTION_KEYS = old_and_new["new"]
    with pytest.raises(DecryptionError, match="test1"):
        Person.objects.first().name  # noqa: B018


def test_check_counts_keys_under_old_master_keys(old_and_new):
    with pytest.raises(CommandError) as error:
        _rotate("--check")
    assert error.value.returncode == 1
    _rotate()
    assert "0 " in _rotate("--check")


def test_rotation_resumes_after_an_interruption(old_and_new):
    calls = []

    def crash_after_first_batch(label, done, total):
        calls.append(done)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rotation.rewrap_subject_keys(batch_size=2, progress=crash_after_first_batch)
    assert rotation.keys_under_old_master_keys() == {"test1": 4}  # the first batch is committed
    done, failed = rotation.rewrap_subject_keys(batch_size=2)
    assert (done, failed) == (4, {})
    assert rotation.keys_under_old_master_keys() == {}


def test_keys_under_an_unknown_master_key_are_reported_not_lost(settings, old_and_new):
    stray = make_person(name="孤儿")
    SubjectKey.objects.filter(pk=stray.subject_key_id).update(master_key_id="gone")
    with pytest.raises(CommandError, match="gone"):
        _rotate()
    assert rotation.keys_under_old_master_keys() == {"gone": 1}
    assert SubjectKey.objects.filter(master_key_id="k2").count() == 6


def test_rotation_never_resurrects_a_shredded_key(old_and_new):
    shred_subject(old_and_new["people"][1])
    _rotate()
    assert SubjectKey.objects.filter(wrapped_key__isnull=True).count() == 1
    assert rotation.keys_under_old_master_keys() == {}


def test_rotation_writes_one_summary_access_event(old_and_new):
    _rotate()
    event = AccessEvent.objects.get(action="bulk")
    assert event.detail == {"operation": "rotate_keys", "count": 6}
    assert event.user is None


def test_blind_index_rotation_recomputes_every_index(settings, old_and_new):
    settings.BLIND_INDEX_KEY = b64key()
    assert not Person.objects.search_mobile(PERSONAL["mobile"]).exists()  # stale under the new key
    output = _rotate("--blind-index", "--batch-size", "2")
    assert "5" in output
    assert Person.objects.search_mobile(PERSONAL["mobile"]).count() == 5
    assert Person.objects.search_email(PERSONAL["email"]).count() == 5
    settings.CIPHER_SUITE = "sm4"
    _rotate("--blind-index")
    assert Person.objects.search_email(PERSONAL["email"]).count() == 5
    assert AccessEvent.objects.filter(detail__operation="rotate_keys_blind_index").count() == 2


def test_a_key_shredded_while_its_batch_is_rewrapped_stays_shredded(old_and_new):
    person = old_and_new["people"][2]
    key = SubjectKey.objects.get(pk=person.subject_key_id)
    read = key.wrapped_key
    key.rewrap()
    shred_subject(person)  # lands between the batch's read and its write
    assert rotation._swap_wrapped_keys([(key, read)], "k2", key.rotated_at) == 0
    assert SubjectKey.objects.get(pk=key.pk).wrapped_key is None

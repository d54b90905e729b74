"""Encrypted fields: round trips in both suites, nothing in clear at rest, loud failures."""

import io
import pickle

import pytest
from django import forms
from django.core import serializers
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Value

from privacy.crypto import DecryptionError, EncryptionError, Sealed
from privacy.crypto.masking import AUDIT_MASK
from privacy.models import SubjectKey
from tests.crypto_testapp.models import Note, Person

from .crypto_helpers import LEAK_MARKERS, NOTE_TEXT, PERSONAL, make_note, make_person, master_entry, raw_rows

pytestmark = pytest.mark.django_db
ENCRYPTED = tuple(PERSONAL)


@pytest.fixture(params=["aes", "sm4"])
def suite(request, settings):
    settings.CIPHER_SUITE = request.param
    return request.param


def test_every_field_round_trips(suite):
    person = make_person()
    note = make_note(person)
    fresh = Person.objects.get(pk=person.pk)
    assert {name: getattr(fresh, name) for name in ENCRYPTED} == PERSONAL
    assert Note.objects.get(pk=note.pk).text == NOTE_TEXT
    assert fresh.subject_key.suite == suite
    assert fresh.subject_key.master_key_id == "test1"


def test_long_text_and_empty_values_round_trip(suite):
    long_text = "长" * 20_000
    person = make_person(mobile=None, email="", wechat="x")
    note = make_note(person, text=long_text)
    fresh = Person.objects.get(pk=person.pk)
    assert (fresh.mobile, fresh.email, fresh.wechat) == (None, "", "x")
    assert Note.objects.get(pk=note.pk).text == long_text


def test_stored_columns_hold_only_tokens_of_the_suite(suite):
    make_note(make_person())
    [row] = raw_rows(Person, *ENCRYPTED)
    assert all(value.startswith(f"zs1${suite}$") for value in row)
    [(text,)] = raw_rows(Note, "text")
    assert text.startswith(f"zs1${suite}$")
    dumped = repr(raw_rows(Person)) + repr(raw_rows(Note))
    assert not [marker for marker in LEAK_MARKERS if marker in dumped]


@pytest.mark.parametrize(("first", "second"), [("aes", "sm4"), ("sm4", "aes")])
def test_data_stays_readable_after_switching_suite(settings, first, second):
    settings.CIPHER_SUITE = first
    old = make_person()
    settings.CIPHER_SUITE = second
    new = make_person(name="新人")
    old_fresh, new_fresh = Person.objects.get(pk=old.pk), Person.objects.get(pk=new.pk)
    assert old_fresh.name == PERSONAL["name"] and old_fresh.subject_key.suite == first
    assert new_fresh.name == "新人" and new_fresh.subject_key.suite == second
    old_fresh.mobile = "13000000000"  # an old subject keeps its suite for new writes
    old_fresh.save()
    assert raw_rows(Person, "mobile")[0][0].startswith(f"zs1${first}$")
    assert Person.objects.get(pk=old.pk).mobile == "13000000000"


def test_values_and_values_list_never_give_plaintext():
    make_person()
    [row] = Person.objects.values(*ENCRYPTED)
    assert all(isinstance(value, Sealed) for value in row.values())
    [flat] = Person.objects.values_list("name", flat=True)
    assert isinstance(flat, Sealed)
    assert flat != PERSONAL["name"]
    shown = f"{row!r} {row['name']} {flat!r}"
    assert not [marker for marker in LEAK_MARKERS if marker in shown]
    assert str(flat) == AUDIT_MASK


def test_dumpdata_writes_ciphertext_and_loaddata_reads_it_back(tmp_path):
    person = make_person()
    make_note(person)
    out = io.StringIO()
    call_command("dumpdata", "privacy.SubjectKey", "crypto_testapp", format="json", stdout=out)
    dump = out.getvalue()
    assert not [marker for marker in LEAK_MARKERS if marker in dump]
    assert "zs1$aes$" in dump
    fixture = tmp_path / "backup.json"
    fixture.write_text(dump)
    Person.objects.update(name="改过的名字")  # changed after the dump
    call_command("loaddata", str(fixture), verbosity=0)
    assert Person.objects.get(pk=person.pk).name == PERSONAL["name"]
    assert Note.objects.get().text == NOTE_TEXT


def test_serializer_round_trip_yields_sealed_values():
    person = make_person()
    [obj] = serializers.deserialize("json", serializers.serialize("json", [person]))
    assert isinstance(obj.object.__dict__["name"], Sealed)
    assert obj.object.name == PERSONAL["name"]


def test_a_value_saved_back_unchanged_keeps_its_ciphertext():
    person = make_person()
    before = raw_rows(Person, *ENCRYPTED)
    fresh = Person.objects.get(pk=person.pk)
    fresh.name  # noqa: B018 - decrypted, not changed
    fresh.city = "杭州"
    fresh.save()
    assert raw_rows(Person, *ENCRYPTED) == before
    fresh.name = "新名字"
    fresh.save()
    after = raw_rows(Person, *ENCRYPTED)[0]
    assert after[0] != before[0][0] and after[1:] == before[0][1:]
    assert Person.objects.get(pk=person.pk).name == "新名字"


def test_copying_a_value_between_rows_encrypts_it_under_the_target_key():
    a, b = make_person(), make_person(name="乙")
    b.mobile = Person.objects.get(pk=a.pk).mobile
    b.save()
    mobiles = [row[0] for row in raw_rows(Person, "mobile")]
    assert mobiles[0] != mobiles[1]
    assert Person.objects.get(pk=b.pk).mobile == PERSONAL["mobile"]
    b.email = b.mobile  # and between fields of one row
    b.save()
    assert Person.objects.get(pk=b.pk).email == PERSONAL["mobile"]


def test_deferred_and_refreshed_fields_decrypt():
    person = make_person()
    lazy = Person.objects.only("city", "subject_key").get(pk=person.pk)
    assert "name" not in lazy.__dict__
    assert lazy.name == PERSONAL["name"]
    person.name = "未保存"
    person.refresh_from_db()
    assert person.name == PERSONAL["name"]
    person.save()
    assert Person.objects.get(pk=person.pk).name == PERSONAL["name"]


def test_isnull_is_the_one_lookup_that_works():
    make_person(mobile=None)
    make_person(name="有手机")
    assert Person.objects.filter(mobile__isnull=True).count() == 1
    assert Person.objects.exclude(mobile__isnull=True).get().name == "有手机"


def test_pickles_carry_ciphertext_only():
    person = Person.objects.get(pk=make_person().pk)
    person.name  # noqa: B018
    person.wechat = "改了没保存"
    data = pickle.dumps(person)
    assert not [marker for marker in (*LEAK_MARKERS, "改了没保存") if marker.encode() in data]
    assert b"_data_cipher" not in data
    restored = pickle.loads(data)  # noqa: S301 - our own pickle
    assert (restored.name, restored.wechat) == (PERSONAL["name"], "改了没保存")
    assert pickle.loads(pickle.dumps(restored.name)) == Sealed(raw_rows(Person, "name")[0][0])  # noqa: S301


def test_a_token_is_never_encrypted_again():
    person = make_person()
    token = raw_rows(Person, "name")[0][0]
    with pytest.raises(EncryptionError, match="ciphertext"):
        person.name = token
    with pytest.raises(EncryptionError):
        Person(name="zs2$sm4$anything")
    form_class = forms.modelform_factory(Person, fields=["name"])
    form = form_class(data={"name": token}, instance=person)
    assert not form.is_valid()
    assert "name" in form.errors


def test_plaintext_without_its_row_cannot_reach_the_database():
    make_person()
    with pytest.raises(EncryptionError, match="without its row"), transaction.atomic():
        Person._base_manager.update(name="明文")
    with pytest.raises(EncryptionError), transaction.atomic():
        list(Person.objects.annotate(x=Value("明文", output_field=Person._meta.get_field("name"))).values("x"))
    assert Person.objects.get().name == PERSONAL["name"]


def test_a_wrong_master_key_raises_naming_the_key(settings):
    person = make_person()
    settings.FIELD_ENCRYPTION_KEYS = master_entry("test1")  # same id, another value
    fresh = Person.objects.get(pk=person.pk)
    with pytest.raises(DecryptionError, match="test1") as error:
        fresh.name  # noqa: B018
    assert "[已加密]" not in str(error.value) and "zs1$" not in str(error.value)


def test_a_missing_master_key_raises_naming_the_key(settings):
    person = make_person()
    settings.FIELD_ENCRYPTION_KEYS = master_entry("other")
    with pytest.raises(DecryptionError, match=r"test1.*other"):
        Person.objects.get(pk=person.pk).email  # noqa: B018


def _tamper(token):
    body = token[8:]
    flipped = "A" if body[10] != "A" else "B"
    return token[:8] + body[:10] + flipped + body[11:]


def test_tampered_or_moved_ciphertext_raises():
    a, b = make_person(), make_person()
    (a_name, a_mobile), _b_row = raw_rows(Person, "name", "mobile")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE crypto_testapp_person SET name = %s, email = %s WHERE id = %s", [_tamper(a_name), a_mobile, a.pk]
        )
        cursor.execute("UPDATE crypto_testapp_person SET name = %s, wechat = 'plain' WHERE id = %s", [a_name, b.pk])
    fresh_a, fresh_b = Person.objects.get(pk=a.pk), Person.objects.get(pk=b.pk)
    for row, field in [(fresh_a, "name"), (fresh_a, "email"), (fresh_b, "name"), (fresh_b, "wechat")]:
        with pytest.raises(DecryptionError):
            getattr(row, field)
    assert fresh_a.mobile == PERSONAL["mobile"]  # the untouched field still reads


def test_ciphertext_without_a_subject_key_is_refused():
    person = make_person()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE crypto_testapp_person SET subject_key_id = NULL WHERE id = %s", [person.pk])
    with pytest.raises(DecryptionError, match="no subject key"):
        Person.objects.get(pk=person.pk).name  # noqa: B018


def test_each_row_owns_its_own_key():
    people = [make_person(), make_person()]
    notes = [make_note(people[0]), make_note(people[0])]
    keys = {p.subject_key_id for p in people} | {n.subject_key_id for n in notes}
    assert len(keys) == 4
    assert SubjectKey.objects.count() == 4


def test_a_tampered_value_raises_the_same_whether_or_not_its_key_was_unwrapped(suite):
    person = make_person()
    ((name,),) = raw_rows(Person, "name")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE crypto_testapp_person SET name = %s WHERE id = %s", [_tamper(name), person.pk])
    cold = Person.objects.get(pk=person.pk)
    warm = Person.objects.get(pk=person.pk)
    assert warm.mobile == PERSONAL["mobile"]  # unwraps the key: the next read takes the fast path
    messages = []
    for row in (cold, warm):
        with pytest.raises(DecryptionError, match="failed authentication") as error:
            row.name  # noqa: B018
        messages.append(str(error.value))
        assert row.__dict__["name"].__class__ is Sealed  # nothing cached in place of the value
    assert messages[0] == messages[1]
    assert person.subject_key.master_key_id in messages[0] and str(person.subject_key_id) in messages[0]

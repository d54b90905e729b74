"""No personal value at rest outside the application: audit trail, raw SQL, a pg_dump of the database."""

import os
import shutil
import subprocess

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog

from privacy.crypto import auditlog_kwargs
from privacy.crypto.masking import AUDIT_MASK
from tests.crypto_testapp.models import Note, Person

from .crypto_helpers import LEAK_MARKERS, make_note, make_person, raw_rows


def _leaks(text):
    return [marker for marker in LEAK_MARKERS if marker in text]


def test_auditlog_kwargs_mask_encrypted_and_exclude_derived_columns():
    assert auditlog_kwargs(Person) == {
        "mask_fields": ["name", "mobile", "email", "wechat", "id_number"],
        "mask_callable": "privacy.crypto.masking.audit_constant_mask",
        "exclude_fields": ["mobile_bidx", "email_bidx", "subject_key"],
        "serialize_auditlog_fields_only": True,
    }


@pytest.fixture
def audited():
    for model in (Person, Note):
        auditlog.register(model, serialize_data=True, **auditlog_kwargs(model))
    yield
    for model in (Person, Note):
        auditlog.unregister(model)


@pytest.mark.django_db
def test_the_audit_trail_holds_no_personal_value(audited):
    person = make_person()
    make_note(person)
    person = Person.objects.get(pk=person.pk)
    person.mobile = "13011112222"
    person.email = "changed@example.cn"
    person.save()
    Note.objects.get().delete()
    entries = list(LogEntry.objects.filter(content_type__app_label="crypto_testapp"))
    assert len(entries) == 4
    trail = repr([(entry.changes, entry.serialized_data) for entry in entries])
    assert _leaks(trail) == []
    assert "13011112222" not in trail and "changed@example.cn" not in trail
    assert "bidx" not in trail and "zs1$" not in trail
    update = next(entry for entry in entries if entry.action == LogEntry.Action.UPDATE)
    assert update.changes_dict == {"mobile": [AUDIT_MASK, AUDIT_MASK], "email": [AUDIT_MASK, AUDIT_MASK]}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_pg_dump_of_the_database_holds_no_personal_value():
    from django.db import connection

    if connection.vendor != "postgresql" or not shutil.which("pg_dump"):
        pytest.skip("needs PostgreSQL and pg_dump")
    for i in range(3):
        make_note(make_person(wechat=f"nana_wx_{i}"))
    assert len(raw_rows(Person)) == 3
    db = connection.settings_dict
    command = ["pg_dump", "--no-owner", "--dbname", db["NAME"], "--host", db["HOST"] or "localhost"]
    command += ["--port", str(db["PORT"] or 5432), "--username", db["USER"] or "postgres"]
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    dump = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout  # noqa: S603
    assert "crypto_testapp_person" in dump and "zs1$aes$" in dump
    assert _leaks(dump) == []

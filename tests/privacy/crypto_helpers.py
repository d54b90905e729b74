"""Helpers shared by the encryption tests (test_crypto_*.py). Keys are random, made at test time."""

import base64
import secrets

from django.db import connection

from tests.crypto_testapp.models import Note, Person

PERSONAL = {
    "name": "欧阳娜娜",
    "mobile": "+86 139-8765-4321",
    "email": "Nana.Ouyang@Example.CN",
    "wechat": "nana_wx_2024",
    "id_number": "11010519491231002X",
}
NOTE_TEXT = "客户提到其配偶在开发区医院工作，电话 13700001111。😀"


def b64key(size=32):
    return base64.b64encode(secrets.token_bytes(size)).decode()


def master_entry(key_id):
    return f"{key_id}:{b64key()}"


def make_person(**overrides):
    return Person.objects.create(**{**PERSONAL, **overrides})


def make_note(person, text=NOTE_TEXT):
    return Note.objects.create(person=person, text=text)


def raw_rows(model, *columns):
    """Rows of `model`'s table exactly as stored, by raw SQL."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in columns) if columns else "*"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} ORDER BY id")
        return cursor.fetchall()


# Every seeded personal value, and fragments of them that a leak would show.
LEAK_MARKERS = (*PERSONAL.values(), NOTE_TEXT, "13987654321", "Nana.Ouyang", "欧阳", "配偶", "nana_wx")

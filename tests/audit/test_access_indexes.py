"""The access trail keeps only the indexes its lookups need (audit migration 0007)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _indexes(table):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {name: tuple(c["columns"]) for name, c in constraints.items() if c["index"] or c["unique"]}


@pytest.mark.parametrize(
    ("table", "column", "composite"),
    [
        ("audit_accessevent", "user_id", ("user_id", "at")),
        ("audit_accessevent", "content_type_id", ("content_type_id", "object_id")),
        ("audit_accesssubject", "event_id", ("event_id", "contact_id")),
        ("audit_accesssubject", "contact_id", ("contact_id", "action", "at")),
    ],
)
def test_no_single_column_index_where_a_composite_leads_with_the_column(table, column, composite):
    indexes = _indexes(table).values()
    assert (column,) not in indexes  # every access event would pay for it
    assert composite in indexes  # the lookups and foreign-key checks use this one instead

"""Indexes for "what happened to my data" on the self-service page (privacy.selfservice._uses).

The page lists, for one contact, the staff uses of their data (exports, shares, copies) and counts
staff views and reveals by month. It starts from the contact's AccessSubject rows and probes each
event by id. Without these indexes PostgreSQL either walked the whole event table by time (hundreds
of ms at 60k events) or fetched every event row of the contact, including the person's own page
views, which are most of them.

- audit_accesssubject (contact_id, event_id): the contact's event ids from the index alone.
- audit_accessevent (id) INCLUDE (...) WHERE <a staff use> AND NOT redacted: the probe for each id
  is an index-only lookup, and an id that is not a use (a self-service view, a sign-in) misses in
  the index without touching the table. The action list must match privacy.selfservice.USE_ACTIONS
  + COUNTED_ACTIONS (the query repeats the predicate so the planner can use the partial index).

PostgreSQL only (partial covering index); other databases keep the plain indexes of 0001.
"""

from django.db import migrations

SUBJECT_INDEX = "access_subject_contact_event_idx"
USES_INDEX = "access_event_staff_use_idx"
USE_ACTIONS = ("export", "share", "subject_export", "reveal", "view")


def create(apps, schema_editor):
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {SUBJECT_INDEX} ON audit_accesssubject (contact_id, event_id)")
    if schema_editor.connection.vendor == "postgresql":
        actions = ", ".join(f"'{a}'" for a in USE_ACTIONS)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {USES_INDEX} ON audit_accessevent (id) "
            f"INCLUDE (at, action, purpose, row_count) WHERE action IN ({actions}) AND NOT redacted"
        )


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {USES_INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {SUBJECT_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_logentry_keyset_indexes"),
    ]

    operations = [migrations.RunPython(create, drop)]

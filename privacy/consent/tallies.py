"""The consent coverage tally (privacy.ConsentCoverage), kept by PostgreSQL triggers (see
zhaoshang.core.tallies): the number of contacts (rows without a purpose) and, per purpose, the
number of consent states without a recipient (one per contact asked). The scorecard's row 13–14
divides the second by the first; counted live it read every contact and every state.

Every writer touches the contact count, so the triggers never update a counter row (an import's
long transaction would make every other officer's new contact wait for it): each writing statement
inserts a row of its own change, readers sum the rows, and `compact` (Celery beat, hourly) folds
them back into one row per purpose. Statement-level triggers: an import or a purge writes many rows
in one statement and adds one row for all of them.
"""

TABLE = "privacy_consentcoverage"
SOURCES = ["clients_contact", "privacy_consentstate"]
COLUMNS = ["purpose_id", "n"]
VALUES = ["n"]

EXPECTED = (
    "SELECT NULL::bigint, count(*) FROM clients_contact "
    "UNION ALL SELECT purpose_id, count(*) FROM privacy_consentstate WHERE recipient_id IS NULL GROUP BY 1"
)

_ADD = """
CREATE OR REPLACE FUNCTION privacy_coverage_add(p bigint, dn bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF dn = 0 THEN RETURN; END IF;
  INSERT INTO privacy_consentcoverage (purpose_id, n) VALUES (p, dn);
END $$"""

# What the tally says: its rows summed per purpose (in the column order of EXPECTED).
CURRENT = "SELECT purpose_id, sum(n) FROM privacy_consentcoverage GROUP BY 1"

# Fold the rows into one per purpose. Rows inserted by transactions still open are not seen by
# the DELETE and stay, to be folded next time; the sum never changes.
COMPACT = [
    "WITH gone AS (DELETE FROM privacy_consentcoverage RETURNING purpose_id, n) "
    "INSERT INTO privacy_consentcoverage (purpose_id, n) "
    "SELECT purpose_id, sum(n) FROM gone GROUP BY purpose_id HAVING sum(n) <> 0"
]

_CONTACTS = """
CREATE OR REPLACE FUNCTION privacy_coverage_contacts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM privacy_coverage_add(NULL, (SELECT count(*) FROM new_rows));
  ELSE
    PERFORM privacy_coverage_add(NULL, -(SELECT count(*) FROM old_rows));
  END IF;
  RETURN NULL;
END $$"""

_STATES = """
CREATE OR REPLACE FUNCTION privacy_coverage_states() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM privacy_coverage_add(purpose_id, -count(*)) FROM old_rows WHERE recipient_id IS NULL GROUP BY purpose_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    PERFORM privacy_coverage_add(purpose_id, count(*)) FROM new_rows WHERE recipient_id IS NULL GROUP BY purpose_id;
  END IF;
  RETURN NULL;
END $$"""


def _trigger(name, event, table, function, referencing):
    return [
        f"DROP TRIGGER IF EXISTS {name} ON {table}",
        f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


INSTALL = [
    _ADD,
    _CONTACTS,
    _STATES,
    *_trigger(
        "privacy_coverage_contacts_insert",
        "INSERT",
        "clients_contact",
        "privacy_coverage_contacts",
        "NEW TABLE AS new_rows",
    ),
    *_trigger(
        "privacy_coverage_contacts_delete",
        "DELETE",
        "clients_contact",
        "privacy_coverage_contacts",
        "OLD TABLE AS old_rows",
    ),
    *_trigger(
        "privacy_coverage_states_insert",
        "INSERT",
        "privacy_consentstate",
        "privacy_coverage_states",
        "NEW TABLE AS new_rows",
    ),
    *_trigger(
        "privacy_coverage_states_delete",
        "DELETE",
        "privacy_consentstate",
        "privacy_coverage_states",
        "OLD TABLE AS old_rows",
    ),
    *_trigger(
        "privacy_coverage_states_update",
        "UPDATE",
        "privacy_consentstate",
        "privacy_coverage_states",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    ),
]

UNINSTALL = [
    "DROP TRIGGER IF EXISTS privacy_coverage_contacts_insert ON clients_contact",
    "DROP TRIGGER IF EXISTS privacy_coverage_contacts_delete ON clients_contact",
    "DROP TRIGGER IF EXISTS privacy_coverage_states_insert ON privacy_consentstate",
    "DROP TRIGGER IF EXISTS privacy_coverage_states_delete ON privacy_consentstate",
    "DROP TRIGGER IF EXISTS privacy_coverage_states_update ON privacy_consentstate",
    "DROP FUNCTION IF EXISTS privacy_coverage_contacts()",
    "DROP FUNCTION IF EXISTS privacy_coverage_states()",
    "DROP FUNCTION IF EXISTS privacy_coverage_add(bigint, bigint)",
]


def counts():
    """(contacts, {purpose id: states without a recipient}) from the tally: one query."""
    from django.db.models import Sum

    from .models import ConsentCoverage

    contacts, per_purpose = 0, {}
    rows = ConsentCoverage.objects.values("purpose_id").annotate(total=Sum("n")).order_by()
    for purpose_id, n in rows.values_list("purpose_id", "total"):
        if purpose_id is None:
            contacts = n
        else:
            per_purpose[purpose_id] = n
    return contacts, per_purpose

"""Running totals that PostgreSQL keeps for pages that would otherwise count every row.

The leadership cockpit sums every project, tranche and landing of the zone, and the scorecard's
consent coverage divides by every contact. Counted live, both pages cost time in proportion to the
data; read from a tally, a handful of rows. A tally is a small table of totals per key, kept by
database triggers in the same transaction as the write that changes it, so every path that writes
(services, the admin console, imports, `QuerySet.update`, bulk inserts, cascades) keeps it exact
and a rolled-back write rolls its totals back too. The one thing triggers do not see is TRUNCATE,
which empties the tallies with their tables only when both are truncated together (as the test
flush does); `manage.py tallies` compares every tally with a fresh count and `--rebuild`
recomputes them.

Each tally module (`TALLIES`) gives:
- `INSTALL`: the SQL of its functions and triggers (``{tz}`` is replaced by settings.TIME_ZONE, the
  zone in which timestamps fall into months, as everywhere else on the pages);
- `UNINSTALL`: the SQL that drops them;
- `EXPECTED`: a SELECT of the rows the tally should hold, from the tables themselves, in the
  tally's column order;
- `TABLE` and `COLUMNS`: the tally table and its key and value columns;
- optionally `CURRENT`, a SELECT of what the tally says when its rows are to be summed (a tally
  whose triggers insert a row per change rather than update a counter), and `COMPACT`, the SQL that
  folds such rows together (`compact_all`, Celery beat).

Only PostgreSQL keeps tallies. On SQLite (the first-look `make run`) readers count live: the data is
small there, and the live path is the one every scope narrower than the whole zone uses anyway.
"""

from importlib import import_module

from django.conf import settings
from django.db import connections, transaction

TALLIES = ["clients.tallies", "privacy.consent.tallies"]


def maintained(using="default"):
    """Are the tallies kept on this database (PostgreSQL)?"""
    return connections[using].vendor == "postgresql"


def _modules():
    return [import_module(name) for name in TALLIES]


def _sql(text):
    return text.replace("{tz}", settings.TIME_ZONE.replace("'", ""))


def install(module, cursor):
    """(Re)create one tally's functions and triggers."""
    for statement in module.INSTALL:
        cursor.execute(_sql(statement))


def uninstall(module, cursor):
    for statement in module.UNINSTALL:
        cursor.execute(statement)


def rebuild(module, cursor):
    """Recompute one tally from its tables while writes to them wait (SHARE ROW EXCLUSIVE)."""
    for table in module.SOURCES:
        cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute(f"DELETE FROM {module.TABLE}")  # noqa: S608 - table names from the tally modules
    columns = ", ".join(module.COLUMNS)
    cursor.execute(f"INSERT INTO {module.TABLE} ({columns}) {_sql(module.EXPECTED)}")


def differences(module, cursor):
    """Rows (key and values) where the tally and a fresh count disagree; [] when they agree.
    Keys whose totals are all zero count as absent on both sides."""
    columns = ", ".join(module.COLUMNS)
    nonzero = " OR ".join(f"{v} <> 0" for v in module.VALUES)
    current = getattr(module, "CURRENT", None) or f"SELECT {columns} FROM {module.TABLE}"  # noqa: S608
    expected = _sql(module.EXPECTED)
    # Fixed SQL from the tally modules: no value from outside.
    cursor.execute(
        f"(SELECT * FROM ({current}) c({columns}) WHERE {nonzero} "  # noqa: S608
        f"EXCEPT SELECT * FROM ({expected}) e({columns}) WHERE {nonzero}) "
        f"UNION ALL "
        f"(SELECT * FROM ({expected}) e({columns}) WHERE {nonzero} "
        f"EXCEPT SELECT * FROM ({current}) c({columns}) WHERE {nonzero})"
    )
    return cursor.fetchall()


def compact_all(using="default"):
    """Fold the rows of every tally that inserts a row per change (in one transaction each)."""
    if not maintained(using):
        return
    for module in _modules():
        statements = getattr(module, "COMPACT", ())
        if statements:
            with transaction.atomic(using=using), connections[using].cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)


def install_all(using="default"):
    """Install every tally's triggers and recompute its rows (in one transaction)."""
    if not maintained(using):
        return
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for module in _modules():
            install(module, cursor)
            rebuild(module, cursor)


def check_all(using="default"):
    """{tally table: differing rows} for every tally that disagrees with a fresh count."""
    if not maintained(using):
        return {}
    found = {}
    with connections[using].cursor() as cursor:
        for module in _modules():
            rows = differences(module, cursor)
            if rows:
                found[module.TABLE] = rows
    return found


def migration_operation(module_name):
    """The RunPython pair a migration uses to install (and rebuild) or drop one tally."""

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        module = import_module(module_name)
        with schema_editor.connection.cursor() as cursor:
            install(module, cursor)
            rebuild(module, cursor)

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            uninstall(import_module(module_name), cursor)

    return forward, backward

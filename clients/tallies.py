"""The cockpit tally (clients.CockpitTally): what the leadership cockpit would otherwise count over
every project, kept by PostgreSQL triggers (see zhaoshang.core.tallies for how tallies work).

Three kinds of rows, each keyed by the project's owner and department:
- ``projects``: projects per stage and signing month (n, and the sum of planned investment);
- ``funds``: 到资 tranches per month of their date (n, and the sum of their amounts);
- ``landed``: projects per month of their FIRST entry into 注册落地 (in settings.TIME_ZONE), so a
  project moved back and landed again is counted once, when it first landed.

Tranches and landings belong to the project's current owner and department: when a project is
reassigned or moved to another department, its tranches and its landing move with it.

`facts(...)` reads all three kinds in one query, in the shapes `clients.targets` computes live.
"""

from django.db.models import Q

from zhaoshang.core import tallies

TABLE = "clients_cockpittally"
SOURCES = ["clients_project", "clients_fundtranche", "clients_stagechange"]
COLUMNS = ["kind", "stage", "owner_id", "department_id", "month", "n", "total"]
VALUES = ["n", "total"]

_MONTH_OF_DATE = "date_trunc('month', {0}::timestamp)::date"
_MONTH_OF_TIME = "date_trunc('month', {0} AT TIME ZONE '{{tz}}')::date"

# Fixed SQL, no value from outside.
EXPECTED = (
    "SELECT 'projects', stage, owner_id, department_id, "  # noqa: S608
    + _MONTH_OF_DATE.format("signed_at")
    + ", count(*), COALESCE(sum(planned_investment), 0) FROM clients_project GROUP BY 2, 3, 4, 5 "
    "UNION ALL "
    "SELECT 'funds', '', p.owner_id, p.department_id, "
    + _MONTH_OF_DATE.format("t.date")
    + ", count(*), sum(t.amount) FROM clients_fundtranche t JOIN clients_project p ON p.id = t.project_id "
    "GROUP BY 3, 4, 5 "
    "UNION ALL "
    "SELECT 'landed', '', p.owner_id, p.department_id, "
    + _MONTH_OF_TIME.format("f.first_at")
    + ", count(*), 0 FROM (SELECT project_id, min(at) AS first_at FROM clients_stagechange "
    "WHERE to_stage = 'landed' GROUP BY 1) f JOIN clients_project p ON p.id = f.project_id GROUP BY 3, 4, 5"
)

INSTALL = [
    # Add (n, total) to one key, creating it when absent.
    """
CREATE OR REPLACE FUNCTION clients_tally_add(k text, s text, o bigint, d bigint, m date, dn bigint, dt numeric)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF dn = 0 AND dt = 0 THEN RETURN; END IF;
  INSERT INTO clients_cockpittally (kind, stage, owner_id, department_id, month, n, total)
  VALUES (k, s, o, d, m, dn, dt)
  ON CONFLICT (kind, stage, owner_id, department_id, month)
  DO UPDATE SET n = clients_cockpittally.n + EXCLUDED.n, total = clients_cockpittally.total + EXCLUDED.total;
END $$""",
    # A project's first landing moved from before_at to after_at (either may be NULL: none).
    """
CREATE OR REPLACE FUNCTION clients_tally_landing(p bigint, before_at timestamptz, after_at timestamptz)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  o bigint; d bigint;
  mb date := date_trunc('month', before_at AT TIME ZONE '{tz}')::date;
  ma date := date_trunc('month', after_at AT TIME ZONE '{tz}')::date;
BEGIN
  IF mb IS NOT DISTINCT FROM ma THEN RETURN; END IF;
  SELECT owner_id, department_id INTO o, d FROM clients_project WHERE id = p;
  IF NOT FOUND THEN RETURN; END IF;  -- the project went first: its delete took its landing along
  IF mb IS NOT NULL THEN PERFORM clients_tally_add('landed', '', o, d, mb, -1, 0); END IF;
  IF ma IS NOT NULL THEN PERFORM clients_tally_add('landed', '', o, d, ma, 1, 0); END IF;
END $$""",
    # A project's tranches and first landing, added (sign 1) to or taken (sign -1) from an owner
    # and department: used when a project moves, or is deleted before its tranches.
    """
CREATE OR REPLACE FUNCTION clients_tally_belongings(p bigint, o bigint, d bigint, sign integer)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM clients_tally_add('funds', '', o, d, t.m, sign * t.c, sign * t.s)
    FROM (SELECT date_trunc('month', date::timestamp)::date AS m, count(*) AS c, sum(amount) AS s
          FROM clients_fundtranche WHERE project_id = p GROUP BY 1) t;
  PERFORM clients_tally_add('landed', '', o, d, f.m, sign, 0)
    FROM (SELECT date_trunc('month', min(at) AT TIME ZONE '{tz}')::date AS m
          FROM clients_stagechange WHERE project_id = p AND to_stage = 'landed') f
    WHERE f.m IS NOT NULL;
END $$""",
    """
CREATE OR REPLACE FUNCTION clients_project_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (OLD.stage, OLD.owner_id, OLD.department_id, OLD.signed_at, OLD.planned_investment)
      IS NOT DISTINCT FROM (NEW.stage, NEW.owner_id, NEW.department_id, NEW.signed_at, NEW.planned_investment) THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    PERFORM clients_tally_add('projects', OLD.stage, OLD.owner_id, OLD.department_id,
      date_trunc('month', OLD.signed_at::timestamp)::date, -1, -COALESCE(OLD.planned_investment, 0));
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM clients_tally_add('projects', NEW.stage, NEW.owner_id, NEW.department_id,
      date_trunc('month', NEW.signed_at::timestamp)::date, 1, COALESCE(NEW.planned_investment, 0));
  END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM clients_tally_belongings(OLD.id, OLD.owner_id, OLD.department_id, -1);
  ELSIF TG_OP = 'UPDATE' AND (OLD.owner_id IS DISTINCT FROM NEW.owner_id
                              OR OLD.department_id IS DISTINCT FROM NEW.department_id) THEN
    PERFORM clients_tally_belongings(OLD.id, OLD.owner_id, OLD.department_id, -1);
    PERFORM clients_tally_belongings(NEW.id, NEW.owner_id, NEW.department_id, 1);
  END IF;
  RETURN NULL;
END $$""",
    """
CREATE OR REPLACE FUNCTION clients_fundtranche_tally() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE o bigint; d bigint;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    SELECT owner_id, department_id INTO o, d FROM clients_project WHERE id = OLD.project_id;
    IF FOUND THEN
      PERFORM clients_tally_add('funds', '', o, d, date_trunc('month', OLD.date::timestamp)::date, -1, -OLD.amount);
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    SELECT owner_id, department_id INTO o, d FROM clients_project WHERE id = NEW.project_id;
    IF FOUND THEN
      PERFORM clients_tally_add('funds', '', o, d, date_trunc('month', NEW.date::timestamp)::date, 1, NEW.amount);
    END IF;
  END IF;
  RETURN NULL;
END $$""",
    # Statement-level: a project's first landing depends on all its landed rows, and one statement
    # may insert several (bulk_create), so each project concerned is settled once, after the
    # statement, from its rows before (the table less the new rows, plus the old ones) and after.
    """
CREATE OR REPLACE FUNCTION clients_stagechange_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM clients_tally_landing(p.project_id,
      (SELECT min(c.at) FROM clients_stagechange c WHERE c.project_id = p.project_id AND c.to_stage = 'landed'
         AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.id = c.id)),
      (SELECT min(c.at) FROM clients_stagechange c WHERE c.project_id = p.project_id AND c.to_stage = 'landed'))
    FROM (SELECT DISTINCT project_id FROM new_rows WHERE to_stage = 'landed') p;
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM clients_tally_landing(p.project_id,
      LEAST(p.old_first, (SELECT min(c.at) FROM clients_stagechange c
                          WHERE c.project_id = p.project_id AND c.to_stage = 'landed')),
      (SELECT min(c.at) FROM clients_stagechange c WHERE c.project_id = p.project_id AND c.to_stage = 'landed'))
    FROM (SELECT project_id, min(at) AS old_first FROM old_rows WHERE to_stage = 'landed' GROUP BY 1) p;
  ELSE
    PERFORM clients_tally_landing(p.project_id,
      LEAST(
        (SELECT min(o.at) FROM old_rows o WHERE o.project_id = p.project_id AND o.to_stage = 'landed'),
        (SELECT min(c.at) FROM clients_stagechange c WHERE c.project_id = p.project_id AND c.to_stage = 'landed'
           AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.id = c.id))),
      (SELECT min(c.at) FROM clients_stagechange c WHERE c.project_id = p.project_id AND c.to_stage = 'landed'))
    FROM (SELECT project_id FROM old_rows WHERE to_stage = 'landed'
          UNION SELECT project_id FROM new_rows WHERE to_stage = 'landed') p;
  END IF;
  RETURN NULL;
END $$""",
    "DROP TRIGGER IF EXISTS clients_project_tally ON clients_project",
    "CREATE TRIGGER clients_project_tally AFTER INSERT OR DELETE OR UPDATE ON clients_project "
    "FOR EACH ROW EXECUTE FUNCTION clients_project_tally()",
    "DROP TRIGGER IF EXISTS clients_fundtranche_tally ON clients_fundtranche",
    "CREATE TRIGGER clients_fundtranche_tally AFTER INSERT OR DELETE OR UPDATE ON clients_fundtranche "
    "FOR EACH ROW EXECUTE FUNCTION clients_fundtranche_tally()",
    "DROP TRIGGER IF EXISTS clients_stagechange_tally_insert ON clients_stagechange",
    "CREATE TRIGGER clients_stagechange_tally_insert AFTER INSERT ON clients_stagechange "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION clients_stagechange_tally()",
    "DROP TRIGGER IF EXISTS clients_stagechange_tally_delete ON clients_stagechange",
    "CREATE TRIGGER clients_stagechange_tally_delete AFTER DELETE ON clients_stagechange "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION clients_stagechange_tally()",
    "DROP TRIGGER IF EXISTS clients_stagechange_tally_update ON clients_stagechange",
    "CREATE TRIGGER clients_stagechange_tally_update AFTER UPDATE ON clients_stagechange "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION clients_stagechange_tally()",
]

UNINSTALL = [
    "DROP TRIGGER IF EXISTS clients_project_tally ON clients_project",
    "DROP TRIGGER IF EXISTS clients_fundtranche_tally ON clients_fundtranche",
    "DROP TRIGGER IF EXISTS clients_stagechange_tally_insert ON clients_stagechange",
    "DROP TRIGGER IF EXISTS clients_stagechange_tally_delete ON clients_stagechange",
    "DROP TRIGGER IF EXISTS clients_stagechange_tally_update ON clients_stagechange",
    "DROP FUNCTION IF EXISTS clients_project_tally()",
    "DROP FUNCTION IF EXISTS clients_fundtranche_tally()",
    "DROP FUNCTION IF EXISTS clients_stagechange_tally()",
    "DROP FUNCTION IF EXISTS clients_tally_belongings(bigint, bigint, bigint, integer)",
    "DROP FUNCTION IF EXISTS clients_tally_landing(bigint, timestamptz, timestamptz)",
    "DROP FUNCTION IF EXISTS clients_tally_add(text, text, bigint, bigint, date, bigint, numeric)",
]


def covers(user):
    """May this user's cockpit read the tally? Only when the user sees every project (the ALL scope:
    leadership, the administrator) and the database keeps it; a narrower scope counts its own
    projects live (`clients.targets`), grants and pool rules included."""
    from .models import DataScope
    from .roles import user_scope

    return tallies.maintained() and user_scope(user) == DataScope.ALL


def facts(*, departments=None, funds=None, landed=None):
    """(stage counts, signed, funds, landed) of every project — or of those of `departments` (a set
    of ids) — in the shapes of `targets.stage_facts`, `funds_facts` and `landed_facts`, from ONE
    query. `funds` and `landed` are (first day, last day) windows, or None for none."""
    from .models import CockpitTally, Stage

    kinds = Q(kind=CockpitTally.Kind.PROJECTS)
    if funds is not None:
        kinds |= Q(kind=CockpitTally.Kind.FUNDS, month__gte=funds[0].replace(day=1), month__lte=funds[1])
    if landed is not None:
        kinds |= Q(kind=CockpitTally.Kind.LANDED, month__gte=landed[0].replace(day=1), month__lte=landed[1])
    rows = CockpitTally.objects.filter(kinds).exclude(n=0, total=0)
    if departments is not None:
        rows = rows.filter(department_id__in=departments)
    counts, signed, funds_rows, landed_cells = {}, [], [], {}
    for kind, stage, owner_id, last, first, username, department_id, month, n, total in rows.values_list(
        "kind",
        "stage",
        "owner_id",
        "owner__last_name",
        "owner__first_name",
        "owner__username",
        "department_id",
        "month",
        "n",
        "total",
    ):
        if kind == CockpitTally.Kind.PROJECTS:
            counts[stage] = counts.get(stage, 0) + n
            if stage in (Stage.SIGNED, Stage.LANDED):
                names = (last or "", first or "", username or "")
                signed.append((owner_id, *names, department_id, month, n, total))
        elif kind == CockpitTally.Kind.FUNDS:
            funds_rows.append((owner_id, department_id, month, total))
        else:
            key = (owner_id, department_id)
            landed_cells[key] = landed_cells.get(key, 0) + n
    landed_rows = [(o, d, n) for (o, d), n in landed_cells.items()] if landed is not None else None
    return counts, signed, funds_rows, landed_rows

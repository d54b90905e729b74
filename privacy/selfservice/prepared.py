"""How a /c/<token>/ link opens, in one statement: token resolution and the page's prepared rows.

`_open(token)` checks the signature and age with the link services' own signer, then reads the
link, the contact, its enterprise and its subject key -- and, for a page view, writes the view's
access event and reads everything the page shows -- in one row of one prepared statement
(`_open_statement`, `PAGE_PARTS`). `_page_rows_orm` gives the same rows through the ORM (other
databases; tests compare both). The pages themselves are rendered by `privacy.selfservice.rendering`
and served by `privacy.selfservice.views`.
"""

import functools

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from audit.access import record_access
from privacy.consent import services as consent_services
from zhaoshang.core.middleware import get_correlation_id

from . import services

USE_ACTIONS = ["export", "share", "subject_export"]  # listed one by one on the page
COUNTED_ACTIONS = ["reveal", "view"]  # counted by month
# audit migration 0005 indexes AccessSubject (contact_id, action, at) for these lookups.


def _resolve(token):
    """`services.selfservice_resolve` in one statement: same checks, same answer."""
    return _open(token)[0]


def _open(token, *, view=None):
    """`_open_nonce` of the nonce a link's token carries. A token that does not verify (forged,
    damaged, too old) runs the very same statement with a nonce that never exists: it takes the
    path, and the time, of a real token whose link is expired or revoked."""
    return _open_nonce(services.token_nonce(token) or services.NO_NONCE, view=view)


def _open_nonce(nonce, *, view=None):
    """The contact a live link's nonce opens: (contact, None); with `view` (the request of a page
    view) also the view's access event, written, and the raw rows of the page: (contact, rows).

    (None, None) for any nonce that does not open, and then nothing is written. The link (nonce
    not revoked, not expired), the contact, its enterprise, its subject key and -- for a view --
    the access event (an INSERT in the same statement, only when the link opens) and everything
    the page shows come back in one row of one statement: one round trip and one commit. The
    statement is built once per process from the models' metadata and prepared by PostgreSQL
    once per connection (planning it cost more than running it). The contact's encrypted fields
    stay sealed until read, as with the ORM. Tests compare this with `services.selfservice_resolve`
    on every kind of token, the event with one written by `audit.record_access`, and the rows
    with the ORM.
    """
    if connection.vendor != "postgresql":
        contact = services.selfservice_resolve_nonce(nonce)
        if view is None or contact is None:
            return contact, None
        record_access(None, "selfservice_view", contact, subject_ids=[contact.pk], request=view)
        return contact, _page_rows_orm(contact)
    sql, parts, event_fields = _open_statement(view is not None)
    params = {"nonce": nonce, "now": timezone.now()}
    if view is not None:
        from audit.models import AccessEvent

        event = _view_event(view)
        pre_save.send(sender=AccessEvent, instance=event, raw=False, using=connection.alias, update_fields=None)
        for i, field in enumerate(event_fields):  # as Model.save / record_access would store them
            value = field.pre_save(event, True)
            setattr(event, field.attname, value)
            if field.name != "object_id":  # written from the opened contact by the statement
                params[f"ev{i}"] = field.get_db_prep_save(value, connection)
        params.update(_page_params())
    row = _fetch_prepared(sql, params)
    if row is None:
        return None, None
    objects, start = [], 0
    for model, fields in parts:
        values = row[start : start + len(fields)]
        start += len(fields)
        if values[0] is None:  # no subject key
            objects.append(None)
            continue
        values = [
            f.from_db_value(v, None, connection) if v is not None and hasattr(f, "from_db_value") else v
            for f, v in zip(fields, values, strict=True)
        ]
        objects.append(model.from_db(connection.alias, [f.attname for f in fields], values))
    contact, enterprise, key = objects
    if key is None or key.is_shredded:  # the statement wrote no event either (same test in SQL)
        return None, None
    contact._state.fields_cache["enterprise"] = enterprise
    contact._state.fields_cache["subject_key"] = key
    if view is None:
        return contact, None
    event.pk, rows = row[-1], row[start:-1]
    event.object_id = str(contact.pk)
    event._state.adding, event._state.db = False, connection.alias
    post_save.send(
        sender=type(event), instance=event, created=True, update_fields=None, raw=False, using=connection.alias
    )
    return contact, rows


def _view_event(request):
    """The access event of one page view, built as `audit.record_access(None, "selfservice_view",
    contact, subject_ids=[contact.pk], request=request)` builds it (a test compares the rows). Its
    object id is the contact the statement opens (written by the statement itself)."""
    from audit.models import AccessEvent
    from clients.models import Contact

    remote_addr = request.META.get("REMOTE_ADDR") if settings.AUDIT_RECORD_CLIENT_IP else None
    return AccessEvent(
        user=None,
        action=AccessEvent.Action.SELFSERVICE_VIEW,
        content_type=ContentType.objects.get_for_model(Contact),
        object_id="",
        purpose="",
        row_count=None,
        detail={},
        correlation_id=get_correlation_id() or "",
        remote_addr=remote_addr,
    )


def _fetch_prepared(sql, params):
    """One row of a hot statement, through a server-side-binding cursor.

    The project's cursors bind on the client (Django's default), so PostgreSQL plans every
    statement afresh. This cursor sends the parameters separately; psycopg prepares the statement
    after a few runs on a connection and later runs skip parsing and planning. Still Django's
    cursor wrapper: the health check, query logging (and counting in tests) and error wrapping
    are the usual ones.
    """
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = connection._prepare_cursor(ServerBindingCursor(connection.connection))
    with cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


@functools.cache
def _open_statement(view):
    """(sql, [(model, fields)] of the row's objects, the access event's fields) for `_open`."""
    from audit.models import AccessEvent, AccessSubject
    from clients.models import Contact

    from .models import SelfServiceLink

    link = SelfServiceLink._meta
    contact = Contact._meta
    enterprise = contact.get_field("enterprise").related_model._meta
    key = contact.get_field("subject_key").related_model._meta
    qn = connection.ops.quote_name
    parts, columns = [], []
    for alias, meta in (("c", contact), ("e", enterprise), ("k", key)):
        fields = list(meta.concrete_fields)
        fields.sort(key=lambda f: not f.primary_key)  # pk first: NULL pk = no row (LEFT JOIN)
        parts.append((meta.model, fields))
        columns += [f"{alias}.{qn(f.column)}" for f in fields]

    def col(meta, name):
        return qn(meta.get_field(name).column)

    source = (
        f"FROM {qn(link.db_table)} l "
        f"JOIN {qn(contact.db_table)} c ON c.{qn(contact.pk.column)} = l.{col(link, 'contact')} "
        f"JOIN {qn(enterprise.db_table)} e ON e.{qn(enterprise.pk.column)} = c.{col(contact, 'enterprise')} "
        f"LEFT JOIN {qn(key.db_table)} k ON k.{qn(key.pk.column)} = c.{col(contact, 'subject_key')} "
        f"WHERE l.{col(link, 'nonce')} = %(nonce)s "
        f"AND l.{col(link, 'revoked_at')} IS NULL AND l.{col(link, 'expires_at')} > %(now)s"
    )
    if not view:
        return f"SELECT {', '.join(columns)} {source} LIMIT 1", parts, []
    # The view's access event and its subject row, as audit.access._insert writes them, only when
    # the link opens (a subject key that is not shredded: SubjectKey.is_shredded).
    event_meta, subject = AccessEvent._meta, AccessSubject._meta
    event_fields = [f for f in event_meta.concrete_fields if not f.primary_key]
    values = ", ".join(
        # the object id is the contact the link opens: the nonce alone names the link
        f"CAST(opened.id AS {f.db_type(connection)})"
        if f.name == "object_id"
        else f"CAST(%(ev{i})s AS {f.db_type(connection)})"
        for i, f in enumerate(event_fields)
    )
    pk, action, at = qn(event_meta.pk.column), col(event_meta, "action"), col(event_meta, "at")
    subject_columns = ", ".join(col(subject, name) for name in ("event", "contact_id", "action", "at"))
    page = [f"({part.format(contact=f'c.{qn(contact.pk.column)}')})" for part in PAGE_PARTS]
    sql = (
        f"WITH opened AS (SELECT c.{qn(contact.pk.column)} AS id {source} "  # noqa: S608 - identifiers from metadata
        f"AND k.{qn(key.pk.column)} IS NOT NULL AND k.{col(key, 'wrapped_key')} IS NOT NULL LIMIT 1), "
        f"event AS (INSERT INTO {qn(event_meta.db_table)} ({', '.join(qn(f.column) for f in event_fields)}) "
        f"SELECT {values} FROM opened RETURNING {pk}, {action}, {at}), "
        f"subject AS (INSERT INTO {qn(subject.db_table)} ({subject_columns}) "
        f"SELECT event.{pk}, opened.id, event.{action}, event.{at} FROM event CROSS JOIN opened "
        f"RETURNING {col(subject, 'event')}) "
        f"SELECT {', '.join(columns + page)}, (SELECT {col(subject, 'event')} FROM subject) {source} LIMIT 1"
    )
    return sql, parts, event_fields


# Everything the page shows besides the contact (PostgreSQL), as scalar subqueries about the
# contact `{contact}` (a parameter, or the contact column of the token statement). Each part is a
# JSON array of display-ready rows (times already as local text), so Python only picks the
# language and the labels:
# - purposes: every active purpose with this person's state (privacy.consent.services.consent_state);
# - history: the latest 100 consent events (privacy.consent.services.consent_history), only shown columns;
# - uses: the latest 50 staff exports/shares/copies about the person, and staff views/reveals by
#   month. Both read audit_accesssubject (contact_id, action, at) -- audit migration 0005 -- so the
#   person's own page views (most of their rows) are never read; each event is probed by id only
#   to skip redacted ones and fetch the purpose;
# - requests: the latest 20 data-subject requests; policy: the version in effect;
# - complaints: the latest 20 complaints filed for the person (complaints.Complaint.contact, indexed).
PAGE_PARTS = [
    """SELECT coalesce(json_agg(json_build_array(
       p.code, p.name, p.name_en, p.description, p.description_en, p.legal_basis,
       p.requires_separate_consent, s.id IS NOT NULL, coalesce(s.granted, false),
       coalesce(s.needs_renewal, false), s.renewal_due_at IS NULL OR s.renewal_due_at > %(now)s,
       p.provides_to_others
     ) ORDER BY p."order", p.code), '[]')
   FROM privacy_purpose p
   LEFT JOIN privacy_consentstate s ON s.purpose_id = p.id AND s.contact_id = {contact} AND s.recipient_id IS NULL
   WHERE p.is_active""",
    """SELECT coalesce(json_agg(json_build_array(
       to_char(h.at AT TIME ZONE %(tz)s, 'YYYY-MM-DD HH24:MI'), pu.name, pu.name_en, h.action, h.channel,
       pol.version) ORDER BY h.at DESC, h.id DESC), '[]')
   FROM (SELECT id, at, purpose_id, policy_id, action, channel FROM privacy_consentevent
         WHERE contact_id = {contact} ORDER BY at DESC, id DESC LIMIT 100) h
   JOIN privacy_purpose pu ON pu.id = h.purpose_id
   LEFT JOIN privacy_privacypolicy pol ON pol.id = h.policy_id""",
    """SELECT coalesce(json_agg(json_build_array(
       to_char(u.at AT TIME ZONE %(tz)s, 'YYYY-MM-DD HH24:MI'), u.action, u.purpose, u.recipient)
       ORDER BY u.at DESC), '[]')
   FROM (SELECT s.at, s.action, e.purpose, e.detail ->> 'recipient' AS recipient FROM audit_accesssubject s
         JOIN audit_accessevent e ON e.id = s.event_id AND NOT e.redacted
         WHERE s.contact_id = {contact} AND s.action = ANY(%(uses)s::varchar[])
         ORDER BY s.at DESC LIMIT 50) u""",
    """SELECT coalesce(json_agg(json_build_array(to_char(m.month, 'YYYY-MM'), m.action, m.n)
       ORDER BY m.month DESC), '[]')
   FROM (SELECT date_trunc('month', s.at AT TIME ZONE %(tz)s) AS month, s.action, count(*) AS n
         FROM audit_accesssubject s
         JOIN audit_accessevent e ON e.id = s.event_id AND NOT e.redacted
         WHERE s.contact_id = {contact} AND s.action = ANY(%(counted)s::varchar[])
         GROUP BY 1, 2 ORDER BY 1 DESC LIMIT 48) m""",
    """SELECT coalesce(json_agg(json_build_array(r.id, r.kind, r.status, to_char(r.due_date, 'YYYY-MM-DD'))
       ORDER BY r.received_at DESC, r.id DESC), '[]')
   FROM (SELECT id, kind, status, due_date, received_at FROM privacy_subjectrequest
         WHERE contact_id = {contact} ORDER BY received_at DESC, id DESC LIMIT 20) r""",
    """SELECT version FROM privacy_privacypolicy
   WHERE published_at IS NOT NULL AND effective_date <= %(today)s
   ORDER BY effective_date DESC, published_at DESC LIMIT 1""",
    """SELECT coalesce(json_agg(json_build_array(
       x.reference, cat.name, x.status, to_char(x.received_at AT TIME ZONE %(tz)s, 'YYYY-MM-DD'))
       ORDER BY x.received_at DESC, x.id DESC), '[]')
   FROM (SELECT id, reference, category_id, status, received_at FROM complaints_complaint
         WHERE contact_id = {contact} ORDER BY received_at DESC, id DESC LIMIT 20) x
   JOIN complaints_complaintcategory cat ON cat.id = x.category_id""",
    # [I] recipients of the purposes that provide to others: those with an agreement in force now
    # (privacy.sharing.services.recipients_for) and any the person has a consent state for.
    """SELECT coalesce(json_agg(json_build_array(
       r.code, r.pid, r.pname, coalesce(s.granted AND (s.renewal_due_at IS NULL OR s.renewal_due_at > %(now)s), false),
       s.id IS NOT NULL, r.current) ORDER BY r.ord, r.code, r.pname, r.pid), '[]')
   FROM (SELECT purpose_id, code, ord, pid, pname, bool_or(current) AS current FROM (
           SELECT p.id AS purpose_id, p.code, p."order" AS ord, pa.id AS pid, pa.name AS pname, true AS current
           FROM privacy_purpose p
           JOIN privacy_agreement_purposes ap ON ap.purpose_id = p.id
           JOIN privacy_agreement a ON a.id = ap.agreement_id
           JOIN privacy_partner pa ON pa.id = a.partner_id
           WHERE p.is_active AND p.provides_to_others AND a.kind IN ('providing', 'joint')
             AND a.signed_at IS NOT NULL AND a.terminated_at IS NULL
             AND a.valid_from <= %(today)s AND a.valid_until >= %(today)s
             AND pa.is_active AND pa.vetting_status = 'approved'
           UNION ALL
           SELECT p.id, p.code, p."order", pa.id, pa.name, false
           FROM privacy_consentstate s2
           JOIN privacy_purpose p ON p.id = s2.purpose_id
           JOIN privacy_partner pa ON pa.id = s2.recipient_id
           WHERE s2.contact_id = {contact} AND p.is_active AND p.provides_to_others
         ) c GROUP BY purpose_id, code, ord, pid, pname) r
   LEFT JOIN privacy_consentstate s
     ON s.contact_id = {contact} AND s.purpose_id = r.purpose_id AND s.recipient_id = r.pid""",
]
PAGE_SQL = "SELECT " + ",\n".join(f"({part.format(contact='%(contact)s')})" for part in PAGE_PARTS)


def _page_params():
    return {
        "now": timezone.now(),
        "today": timezone.localdate(),
        "tz": timezone.get_current_timezone_name(),
        "uses": USE_ACTIONS,
        "counted": COUNTED_ACTIONS,
    }


def _page_rows(contact):
    """The raw rows of the page alone: (purposes, history, uses, months, requests, policy_version,
    complaints, recipients)."""
    if connection.vendor != "postgresql":
        return _page_rows_orm(contact)
    return _fetch_prepared(PAGE_SQL, {"contact": contact.pk, **_page_params()})


def _page_rows_orm(contact):
    """The same rows through the ORM (SQLite for a first look; tests compare both on PostgreSQL)."""
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from audit.models import AccessSubject

    def local(dt, fmt="%Y-%m-%d %H:%M"):
        return timezone.localtime(dt).strftime(fmt)

    now = timezone.now()
    purposes = []
    recipients = []
    for row in consent_services.consent_state(contact):
        p = row["purpose"]
        state = consent_services.ConsentState.objects.filter(contact=contact, purpose=p, recipient=None).first()
        purposes.append(
            [
                p.code, p.name, p.name_en, p.description, p.description_en, p.legal_basis,
                p.requires_separate_consent, state is not None, bool(state and state.granted),
                bool(state and state.needs_renewal), bool(state is None or state.renewal_due_at is None
                                                          or state.renewal_due_at > now),
                p.provides_to_others,
            ]
        )  # fmt: skip
        current = {r.pk for r in consent_services.purpose_recipients(p)} if p.provides_to_others else set()
        for item in row.get("recipients", ()):
            partner, rstate = item["partner"], item["state"]
            recipients.append(
                [p.code, partner.pk, partner.name, bool(rstate and rstate.is_valid(now)), rstate is not None,
                 partner.pk in current]
            )  # fmt: skip
    history = [
        [local(e.at), e.purpose.name, e.purpose.name_en, e.action, e.channel, e.policy.version if e.policy else None]
        for e in consent_services.consent_history(contact, limit=100)
    ]
    subjects = AccessSubject.objects.filter(contact_id=contact.pk, event__redacted=False)
    uses = [
        [local(at), action, purpose, recipient]
        for at, action, purpose, recipient in subjects.filter(action__in=USE_ACTIONS)
        .order_by("-at")
        .values_list("at", "action", "event__purpose", "event__detail__recipient")[:50]
    ]
    by_month = (
        subjects.filter(action__in=COUNTED_ACTIONS)
        .annotate(month=TruncMonth("at"))
        .values("month", "action")
        .annotate(n=Count("id"))
        .order_by("-month")[:48]
    )
    months = [[row["month"].strftime("%Y-%m"), row["action"], row["n"]] for row in by_month]
    requests = [
        [r.pk, r.kind, r.status, f"{r.due_date:%Y-%m-%d}"]
        for r in contact.subject_requests.order_by("-received_at", "-pk")[:20]
    ]
    policy = consent_services.current_policy()
    complaints = [
        [c.reference, c.category.name, c.status, local(c.received_at, "%Y-%m-%d")]
        for c in contact.complaints.select_related("category").order_by("-received_at", "-pk")[:20]
    ]
    return purposes, history, uses, months, requests, policy.version if policy else None, complaints, recipients

"""The one helper that records reads of personal data (see audit.models.access)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from zhaoshang.core.middleware import get_correlation_id

_FORBIDDEN_DETAIL_KEYS = {"name", "mobile", "email", "wechat", "id_number", "token", "phone", "address"}


def record_access(user, action, obj=None, *, purpose="", row_count=None, detail=None, subject_ids=(), request=None):
    """Write one access event and return it.

    `obj` is the record read (optional for exports); `subject_ids` the contact ids the read
    concerned (an export names every contact in it). `detail` holds ids, counts and filter
    names only: keys that look like personal fields are refused, so that a careless caller
    cannot write a phone number into the trail.
    """
    event = _build_event(user, action, obj, purpose=purpose, row_count=row_count, detail=detail, request=request)
    subject_ids = sorted({int(pk) for pk in subject_ids if pk is not None})
    _insert(event, subject_ids)
    return event


def _build_event(user, action, obj=None, *, purpose="", row_count=None, detail=None, request=None):
    """The unsaved access event `record_access` writes (detail checked for personal keys)."""
    from .models import AccessEvent

    detail = dict(detail or {})
    from privacy.training.gate import training_gate

    training_gate(user, action, detail)  # [J] reveal, share, clear export: a current training first
    bad = _FORBIDDEN_DETAIL_KEYS & {str(k).lower() for k in detail}
    if bad:
        raise ValueError(f"access event detail must not carry personal fields: {sorted(bad)}")
    remote_addr = None
    if request is not None and settings.AUDIT_RECORD_CLIENT_IP:
        remote_addr = request.META.get("REMOTE_ADDR")
    return AccessEvent(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        # get_for_model is served from ContentType's per-process cache after the first call.
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        purpose=purpose[:200],
        row_count=row_count,
        detail=detail,
        correlation_id=get_correlation_id() or "",
        remote_addr=remote_addr,
    )


def _insert(event, subject_ids):
    """Write the event and its subjects as ONE statement (so one commit, one round trip).

    On PostgreSQL the event INSERT is a data-modifying CTE that feeds the AccessSubject INSERT:
    both rows or neither, durable when the statement (or the caller's transaction) commits, with
    no savepoint and no extra BEGIN/COMMIT. Elsewhere (SQLite for a first look) the ORM does it
    in one atomic block.
    """
    from django.db import connections, router, transaction
    from django.db.models.signals import post_save, pre_save
    from django.db.models.sql import InsertQuery

    from .models import AccessEvent, AccessSubject

    using = router.db_for_write(AccessEvent)
    connection = connections[using]
    if not subject_ids:
        event.save(using=using, force_insert=True)  # one INSERT, nothing else
        return
    if connection.vendor != "postgresql":
        with transaction.atomic(using=using, savepoint=False):
            event.save(using=using, force_insert=True)
            AccessSubject.objects.using(using).bulk_create(
                [AccessSubject(event=event, contact_id=pk, action=event.action, at=event.at) for pk in subject_ids]
            )
        return
    # Same signals as Model.save (none are connected today; keep it that way for receivers to come).
    pre_save.send(sender=AccessEvent, instance=event, raw=False, using=using, update_fields=None)
    meta = AccessEvent._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    for field in fields:  # defaults (at) exactly as Model.save would apply them
        setattr(event, field.attname, field.pre_save(event, True))
    query = InsertQuery(AccessEvent)
    query.insert_values(fields, [event])
    compiler = query.get_compiler(using=using)
    ((event_sql, params),) = compiler.as_sql()
    qn = connection.ops.quote_name
    subject = AccessSubject._meta
    pk, table = qn(meta.pk.column), qn(subject.db_table)
    cols = [qn(subject.get_field(name).column) for name in ("event", "contact_id", "action", "at")]
    action, at = qn(meta.get_field("action").column), qn(meta.get_field("at").column)
    # Identifiers come from the models' metadata; every value is a parameter. The subject rows
    # carry the event's action and time (the per-contact uses lookup reads them from one index).
    sql = f"WITH e AS ({event_sql} RETURNING {pk}, {action}, {at}) INSERT INTO {table} ({', '.join(cols)}) "
    sql += f"SELECT e.{pk}, s.c, e.{action}, e.{at} FROM e CROSS JOIN unnest(%s::bigint[]) AS s(c) "  # noqa: S608
    sql += f"RETURNING {cols[0]}"
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params, subject_ids))
        event.pk = cursor.fetchone()[0]
    event._state.adding = False
    event._state.db = using
    post_save.send(sender=AccessEvent, instance=event, created=True, update_fields=None, raw=False, using=using)


def record_access_each(user, action, subject_ids, obj=None, *, purpose="", detail=None, request=None):
    """Write one access event PER subject (each naming that one contact), set-based; return how many.

    For an act that concerns each person on its own — a share provides every person's data to the
    recipient — so that each person's record of uses shows their own event. Same rows as
    `record_access(user, action, obj, purpose=..., row_count=1, detail=..., subject_ids=[pk])`
    called once per pk, written on PostgreSQL as ONE statement whatever the number of people.
    """
    from django.db import connections, router, transaction

    from .models import AccessEvent, AccessSubject

    subject_ids = sorted({int(pk) for pk in subject_ids if pk is not None})
    if not subject_ids:
        return 0
    template = _build_event(user, action, obj, purpose=purpose, row_count=1, detail=detail, request=request)
    using = router.db_for_write(AccessEvent)
    connection = connections[using]
    if connection.vendor != "postgresql":
        with transaction.atomic(using=using):
            for pk in subject_ids:
                event = AccessEvent(**{f.attname: getattr(template, f.attname) for f in _event_fields()})
                event.save(using=using, force_insert=True)
                AccessSubject.objects.using(using).create(event=event, contact_id=pk, action=event.action, at=event.at)
        return len(subject_ids)
    meta, subject = AccessEvent._meta, AccessSubject._meta
    qn = connection.ops.quote_name
    fields = _event_fields()
    for field in fields:
        setattr(template, field.attname, field.pre_save(template, True))
    values = [field.get_db_prep_save(getattr(template, field.attname), connection) for field in fields]
    casts = ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in fields)
    pk = qn(meta.pk.column)
    subject_cols = ", ".join(qn(subject.get_field(n).column) for n in ("event", "contact_id", "action", "at"))
    # Ids drawn first (a CTE that calls nextval is evaluated once per row and materialised), so each
    # subject row can name its own event; identifiers come from the models, every value is a parameter.
    sql = "WITH ids AS MATERIALIZED (SELECT nextval(pg_get_serial_sequence(%s, %s)) AS id, s.c "
    sql += "FROM unnest(%s::bigint[]) AS s(c)), "
    sql += f"e AS (INSERT INTO {qn(meta.db_table)} ({pk}, {', '.join(qn(f.column) for f in fields)}) "
    sql += f"SELECT ids.id, {casts} FROM ids RETURNING {pk}) "  # noqa: S608
    sql += f"INSERT INTO {qn(subject.db_table)} ({subject_cols}) SELECT ids.id, ids.c, %s, %s FROM ids"  # noqa: S608
    params = [meta.db_table, meta.pk.column, subject_ids, *values, template.action, template.at]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return len(subject_ids)


def _event_fields():
    from .models import AccessEvent

    return [f for f in AccessEvent._meta.concrete_fields if not f.primary_key]


def record_denied(request, *, model=None, object_id=""):
    """Record an out-of-scope request that answered 404 (a "denied" access event), once per request.

    Case views may call it from their `get_<thing>_for_user` gate; `audit.middleware.
    DeniedAccessMiddleware` calls it for any other 404 a signed-in user meets under
    settings.AUDIT_DENIED_PATH_PREFIXES. The path is kept only when it carries no query string.
    """
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False) or getattr(request, "_audit_denied_recorded", False):
        return None
    from .models import AccessEvent

    request._audit_denied_recorded = True
    detail = {"path": request.path[:200].replace("\x00", "")}  # jsonb cannot hold NUL
    if model is not None:
        detail["model"] = model._meta.label
    if object_id:
        detail["object_id"] = str(object_id)[:64]
    return record_access(user, AccessEvent.Action.DENIED, detail=detail, request=request)

"""The client self-service pages at /c/<token>/ (no account: the signed token is the key).

Every view here is public (`login_not_required`) and goes through `selfservice_view`, which
rate-limits per client IP, resolves the token, answers the same neutral page for any token that
does not open (bad, expired, revoked), and marks every response ``Cache-Control: no-store`` and
``Referrer-Policy: same-origin``. Actions are POSTs under Django's CSRF protection. Nothing here
logs; the token appears only in the URL path.
"""

import functools
import re
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.http import HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.template import engines, loader
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit.access import record_access
from zhaoshang.core.middleware import get_correlation_id

from . import services
from .forms import SelfServiceComplaintForm, SelfServiceRequestForm
from .models import Channel, Purpose, RequestKind

USE_ACTIONS = ["export", "share", "subject_export"]  # listed one by one on the page
COUNTED_ACTIONS = ["reveal", "view"]  # counted by month
# audit migration 0005 indexes AccessSubject (contact_id, action, at) for these lookups.


# INCR, and EXPIRE when the counter was just created, atomically on the server (one command).
_COUNT_SCRIPT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""
_counters = {}  # id(Redis cache backend) -> (backend, its Redis client, the registered script)


def _rate_limited(request):
    """Count this request for the client's IP in the current minute; True once over the limit.

    On Redis: one EVALSHA of a script that increments the counter and gives a new one its
    two-minute expiry (one round trip, atomic). The client is built once per cache backend:
    Django's get_client() builds a new redis.Redis, with its table of response callbacks, on
    every call. Other caches: add + incr.
    """
    key = f"selfservice:rl:{services.ip_hash(request)[:40]}:{int(time.time() // 60)}"
    redis_cache = getattr(cache, "_cache", None)
    if hasattr(redis_cache, "get_client"):  # django.core.cache.backends.redis.RedisCache
        counter = _counters.get(id(redis_cache))
        if counter is None or counter[0] is not redis_cache:
            client = redis_cache.get_client(key, write=True)
            counter = _counters[id(redis_cache)] = (redis_cache, client, client.register_script(_COUNT_SCRIPT))
        _backend, client, script = counter
        count = script(keys=[cache.make_and_validate_key(key)], args=[120], client=client)
    else:
        cache.add(key, 0, timeout=120)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=120)
            count = 1
    return count > settings.SELFSERVICE_RATE_LIMIT_PER_MINUTE


def _harden(response):
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    # same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on form posts and
    # CSRF origin checking refuses them. Cross-site requests still get no Referer (no token leak).
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _render(request, template, context=None, *, status=200):
    """Render a self-service page with a plain context: no context processors.

    The pages need neither `request.user` nor the session (the token is the key), so they never
    load them: a member of staff who opens a client's link does not cost a session, a user and a
    role query, and nothing about their account reaches the page. The frame
    (privacy/selfservice/base.html) gets what it needs here, with one CSRF token for every form.
    """
    language = translation.get_language()
    base = {
        "csrf_token": get_token(request),
        "LANGUAGE_CODE": language,
        "ZONE_NAME": settings.ZONE_NAME,
        "messages": get_messages(request),
        "frame": _frame(language),
    }
    if isinstance(template, str):
        template = loader.get_template(template)
    body = template.render({**base, **(context or {})})
    return HttpResponse(body, status=status)


@functools.lru_cache(maxsize=8)
def _frame(language):
    """What the frame shows that depends on nothing but the language (static URLs do not change
    while a process runs). Called with `language` active."""
    return {
        "service": _("个人信息自助服务"),
        "policy_label": _("个人信息保护政策"),
        "bootstrap_css": static("vendor/bootstrap/bootstrap.min.css"),
        "app_css": static("css/app.css"),
        "bootstrap_js": static("vendor/bootstrap/bootstrap.bundle.min.js"),
        "app_js": static("js/app.js"),
        "set_language": reverse("set_language"),
        "policy": reverse("privacy:policy"),
    }


def neutral_page(request):
    """The one answer for every token that does not open: same status, same body."""
    body = render_to_string("privacy/selfservice/invalid.html", {"officer_contact": settings.PRIVACY_OFFICER_CONTACT})
    return _harden(HttpResponse(body, status=404))  # no request: no context processors, no cookie


def _unsign(token):
    """(contact id, nonce) of a well-signed token not older than the links' lifetime, else None."""
    if not token or len(token) > 200:
        return None
    try:
        contact_id, nonce = services._signer().unsign(token, max_age=services._max_age()).split(".", 1)
        return int(contact_id), nonce
    except (signing.BadSignature, ValueError):
        return None


def _resolve(token):
    """`services.selfservice_resolve` in one statement: same checks, same answer."""
    return _open(token)[0]


def _open(token, *, view=None):
    """The contact a token opens: (contact, None); with `view` (the request of a page view) also
    the view's access event, written, and the raw rows of the page: (contact, rows).

    (None, None) for any token that does not open, and then nothing is written. The signature
    and its age are checked by the services' own signer; the link (nonce not revoked, not
    expired), the contact, its enterprise, its subject key and -- for a view -- the access event
    (an INSERT in the same statement, only when the link opens) and everything the page shows
    come back in one row of one statement: one round trip and one commit. The statement is built
    once per process from the models' metadata and prepared by PostgreSQL once per connection
    (planning it cost more than running it). The contact's encrypted fields stay sealed until
    read, as with the ORM. Tests compare this with `services.selfservice_resolve` on every kind of
    token, the event with one written by `audit.record_access`, and the rows with the ORM.
    """
    opened = _unsign(token)
    if opened is None:
        return None, None
    contact_id, nonce = opened
    if connection.vendor != "postgresql":
        contact = services.selfservice_resolve(token)
        if view is None or contact is None:
            return contact, None
        record_access(None, "selfservice_view", contact, subject_ids=[contact.pk], request=view)
        return contact, _page_rows_orm(contact)
    sql, parts, event_fields = _open_statement(view is not None)
    params = {"nonce": nonce, "contact_id": contact_id, "now": timezone.now()}
    if view is not None:
        from audit.models import AccessEvent

        event = _view_event(contact_id, view)
        pre_save.send(sender=AccessEvent, instance=event, raw=False, using=connection.alias, update_fields=None)
        for i, field in enumerate(event_fields):  # as Model.save / record_access would store them
            value = field.pre_save(event, True)
            setattr(event, field.attname, value)
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
    event._state.adding, event._state.db = False, connection.alias
    post_save.send(
        sender=type(event), instance=event, created=True, update_fields=None, raw=False, using=connection.alias
    )
    return contact, rows


def _view_event(contact_id, request):
    """The access event of one page view, built as `audit.record_access(None, "selfservice_view",
    contact, subject_ids=[contact.pk], request=request)` builds it (a test compares the rows)."""
    from audit.models import AccessEvent
    from clients.models import Contact

    remote_addr = request.META.get("REMOTE_ADDR") if settings.AUDIT_RECORD_CLIENT_IP else None
    return AccessEvent(
        user=None,
        action=AccessEvent.Action.SELFSERVICE_VIEW,
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=str(contact_id),
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
        f"WHERE l.{col(link, 'nonce')} = %(nonce)s AND l.{col(link, 'contact')} = %(contact_id)s "
        f"AND l.{col(link, 'revoked_at')} IS NULL AND l.{col(link, 'expires_at')} > %(now)s"
    )
    if not view:
        return f"SELECT {', '.join(columns)} {source} LIMIT 1", parts, []
    # The view's access event and its subject row, as audit.access._insert writes them, only when
    # the link opens (a subject key that is not shredded: SubjectKey.is_shredded).
    event_meta, subject = AccessEvent._meta, AccessSubject._meta
    event_fields = [f for f in event_meta.concrete_fields if not f.primary_key]
    values = ", ".join(f"CAST(%(ev{i})s AS {f.db_type(connection)})" for i, f in enumerate(event_fields))
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


def selfservice_view(view=None, *, page=False):
    """Public, rate-limited, token-resolving, never cached. With `page` (a page view), the token
    statement also records the view's access event and reads the page's rows for the view."""
    if view is None:
        return functools.partial(selfservice_view, page=page)

    @functools.wraps(view)
    def wrapper(request, token, *args, **kwargs):
        if _rate_limited(request):
            response = _render(request, "privacy/selfservice/rate_limited.html", status=429)
            response["Retry-After"] = "60"
            return _harden(response)
        contact, rows = _open(token, view=request if page else None)
        if contact is None:
            return neutral_page(request)
        request.selfservice_path = f"/c/{token}/"
        if page:
            return _harden(view(request, contact, rows, *args, **kwargs))
        return _harden(view(request, contact, *args, **kwargs))

    return login_not_required(wrapper)


def _back(request, anchor=""):
    return HttpResponseRedirect(request.selfservice_path + anchor)


# --- Pages ---------------------------------------------------------------------------------------


@require_http_methods(["GET"])
@selfservice_view(page=True)
def home(request, contact, rows):
    """The page; its view was recorded as an access event about the person by `_open`."""
    return _render(request, _home_template(), _page_context(contact, rows))


# Everything the page shows besides the contact (PostgreSQL), as scalar subqueries about the
# contact `{contact}` (a parameter, or the contact column of the token statement). Each part is a
# JSON array of display-ready rows (times already as local text), so Python only picks the
# language and the labels:
# - purposes: every active purpose with this person's state (privacy.services.consent_state);
# - history: the latest 100 consent events (privacy.services.consent_history), only shown columns;
# - uses: the latest 50 staff exports/shares/copies about the person, and staff views/reveals by
#   month. Both read audit_accesssubject (contact_id, action, at) -- audit migration 0005 -- so the
#   person's own page views (most of their rows) are never read; each event is probed by id only
#   to skip redacted ones and fetch the purpose;
# - requests: the latest 20 data-subject requests; policy: the version in effect.
PAGE_PARTS = [
    """SELECT coalesce(json_agg(json_build_array(
       p.code, p.name, p.name_en, p.description, p.description_en, p.legal_basis,
       p.requires_separate_consent, s.id IS NOT NULL, coalesce(s.granted, false),
       coalesce(s.needs_renewal, false), s.renewal_due_at IS NULL OR s.renewal_due_at > %(now)s
     ) ORDER BY p."order", p.code), '[]')
   FROM privacy_purpose p
   LEFT JOIN privacy_consentstate s ON s.purpose_id = p.id AND s.contact_id = {contact}
   WHERE p.is_active""",
    """SELECT coalesce(json_agg(json_build_array(
       to_char(h.at AT TIME ZONE %(tz)s, 'YYYY-MM-DD HH24:MI'), pu.name, pu.name_en, h.action, h.channel,
       pol.version) ORDER BY h.at DESC, h.id DESC), '[]')
   FROM (SELECT id, at, purpose_id, policy_id, action, channel FROM privacy_consentevent
         WHERE contact_id = {contact} ORDER BY at DESC, id DESC LIMIT 100) h
   JOIN privacy_purpose pu ON pu.id = h.purpose_id
   LEFT JOIN privacy_privacypolicy pol ON pol.id = h.policy_id""",
    """SELECT coalesce(json_agg(json_build_array(
       to_char(u.at AT TIME ZONE %(tz)s, 'YYYY-MM-DD HH24:MI'), u.action, u.purpose) ORDER BY u.at DESC), '[]')
   FROM (SELECT s.at, s.action, e.purpose FROM audit_accesssubject s
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
    """The raw rows of the page alone: (purposes, history, uses, months, requests, policy_version)."""
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
    for row in services.consent_state(contact):
        p, state = row["purpose"], row["state"]
        purposes.append(
            [
                p.code, p.name, p.name_en, p.description, p.description_en, p.legal_basis,
                p.requires_separate_consent, state is not None, bool(state and state.granted),
                bool(state and state.needs_renewal), bool(state is None or state.renewal_due_at is None
                                                          or state.renewal_due_at > now),
            ]
        )  # fmt: skip
    history = [
        [local(e.at), e.purpose.name, e.purpose.name_en, e.action, e.channel, e.policy.version if e.policy else None]
        for e in services.consent_history(contact, limit=100)
    ]
    subjects = AccessSubject.objects.filter(contact_id=contact.pk, event__redacted=False)
    uses = [
        [local(at), action, purpose]
        for at, action, purpose in subjects.filter(action__in=USE_ACTIONS)
        .order_by("-at")
        .values_list("at", "action", "event__purpose")[:50]
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
    policy = services.current_policy()
    return purposes, history, uses, months, requests, policy.version if policy else None


@functools.lru_cache(maxsize=8)
def _labels(language):
    """The choice labels the page shows, translated into `language` once per process."""
    from audit.models import AccessEvent

    from .models import ConsentAction, LegalBasis, RequestStatus

    def labels(choices):
        return {value: str(label) for value, label in choices.choices}

    return {
        "basis": labels(LegalBasis),
        "action": labels(ConsentAction),
        "channel": labels(Channel),
        "use": labels(AccessEvent.Action),
        "kind": labels(RequestKind),
        "status": labels(RequestStatus),
        "request_kinds": [
            (RequestKind.ACCESS.value, _("申请获取我的信息副本")),
            (RequestKind.CORRECTION.value, _("申请更正我的信息")),
            (RequestKind.DELETION.value, _("申请删除我的信息")),
        ],
    }


def _page_data(rows):
    """Display-ready rows for the page: names in the current language, labels translated once."""
    from .models import LegalBasis

    purposes, history, uses, month_rows, requests, policy_version = rows
    language = translation.get_language() or ""
    en = language.startswith("en")
    labels = _labels(language)
    bases = labels["basis"]
    out = []
    for code, name, name_en, desc, desc_en, basis, separate, has_state, granted, renewal, in_time in purposes:
        needs_consent = basis == LegalBasis.CONSENT or separate
        granted = granted and in_time  # ConsentState.is_valid
        out.append(
            {
                "code": code,
                "name": (en and name_en) or name,
                "description": (en and desc_en) or desc,
                "separate": separate,
                "basis": bases.get(basis, basis),
                "needs_consent": needs_consent,
                "granted": granted,
                "needs_renewal": bool(has_state and granted and renewal),
                "withdrawn": has_state and not granted,
            }
        )
    actions, channels = labels["action"], labels["channel"]
    history = [
        (at, (en and name_en) or name, actions.get(action, action), channels.get(channel, channel), version or "—")
        for at, name, name_en, action, channel, version in history
    ]
    uses_labels = labels["use"]
    uses = [(at, uses_labels.get(action, action), purpose or "—") for at, action, purpose in uses]
    months = {}
    for month, action, n in month_rows:
        months.setdefault(month, {"month": month, "reveal": 0, "view": 0})[action] = n
    kinds, statuses = labels["kind"], labels["status"]
    requests = [(pk, kinds.get(kind, kind), statuses.get(status, status), due) for pk, kind, status, due in requests]
    return {
        "rows": out,
        "history": history,
        "uses": uses,
        "months": list(months.values())[:24],
        "requests": requests,
        "policy_version": policy_version,
        "request_kinds": labels["request_kinds"],
    }


@functools.lru_cache(maxsize=32)
def _wording(language, zone_name):
    """home.html's fixed texts in `language` (rendered from _home_wording.html, escaped once)."""
    text = render_to_string("privacy/selfservice/_home_wording.html", {"ZONE_NAME": zone_name})
    return {k: mark_safe(v) for k, v in (line.split(": ", 1) for line in text.splitlines() if ": " in line)}  # noqa: S308


_WORDING_VARIABLE = re.compile(r"{{ w\.(\w+) }}")


@functools.lru_cache(maxsize=32)
def _baked(source, language, zone_name):
    """A page's template with its fixed wording (`{{ w.key }}`) written in, compiled once per
    language: some sixty variables fewer to resolve on every view. The texts are HTML already;
    "{" becomes its character reference so that no text can read as template syntax."""
    wording = _wording(language, zone_name)
    return engines["django"].from_string(
        _WORDING_VARIABLE.sub(lambda match: wording[match[1]].replace("{", "&#123;"), source)
    )


def _home_template():
    source = loader.get_template("privacy/selfservice/home.html").template.source  # the loader caches it
    return _baked(source, translation.get_language(), settings.ZONE_NAME)


def _page_context(contact, rows):
    return {
        "contact": contact,
        "enterprise": contact.enterprise,
        **_page_data(rows),
        "officer_contact": settings.PRIVACY_OFFICER_CONTACT,
    }


@require_POST
@selfservice_view
def consent(request, contact):
    """One click: grant or withdraw one purpose. Separate-consent purposes go through their own step."""
    purpose = Purpose.objects.filter(code=request.POST.get("purpose", ""), is_active=True).first()
    action = request.POST.get("action")
    if purpose is None or action not in ("grant", "withdraw") or not purpose.needs_consent:
        messages.error(request, _("操作无效，请刷新页面后重试。"))
        return _back(request)
    if action == "withdraw":
        services.consent_withdraw(contact=contact, purpose=purpose, channel=Channel.SELFSERVICE, request=request)
        messages.success(request, _("您已撤回对“%(purpose)s”的同意，立即生效。") % {"purpose": purpose.display_name})
    elif purpose.requires_separate_consent:
        return HttpResponseRedirect(f"{request.selfservice_path}separate/{purpose.code}/")
    else:
        services.consent_grant(contact=contact, purpose=purpose, channel=Channel.SELFSERVICE, request=request)
        messages.success(request, _("您已同意“%(purpose)s”。您可随时在本页撤回。") % {"purpose": purpose.display_name})
    return _back(request, "#purposes")


@require_http_methods(["GET", "POST"])
@selfservice_view
def separate(request, contact, code):
    """Separate consent (单独同意): its own page naming recipient, purpose, method and categories."""
    purpose = Purpose.objects.filter(code=code, is_active=True, requires_separate_consent=True).first()
    if purpose is None:
        return _back(request)
    details = services.separate_details(purpose)
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("请勾选确认后再提交。"))
        else:
            services.consent_grant(
                contact=contact, purpose=purpose, channel=Channel.SELFSERVICE, request=request, separate=details
            )
            messages.success(
                request, _("您已单独同意“%(purpose)s”。您可随时在本页撤回。") % {"purpose": purpose.display_name}
            )
            return _back(request, "#purposes")
    return _render(
        request, "privacy/selfservice/separate.html", {"contact": contact, "purpose": purpose, "details": details}
    )


@require_POST
@selfservice_view
def withdraw_all(request, contact):
    count = services.consent_withdraw_all(contact=contact, channel=Channel.SELFSERVICE, request=request)
    if count:
        messages.success(request, _("您已撤回全部 %(n)s 项同意，立即生效。") % {"n": count})
    else:
        messages.info(request, _("您目前没有可撤回的同意。"))
    return _back(request, "#purposes")


@require_POST
@selfservice_view
def subject_request(request, contact):
    form = SelfServiceRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请求类型无效，请刷新页面后重试。"))
        return _back(request, "#requests")
    req = services.subject_request_create(
        contact=contact, kind=form.cleaned_data["kind"], details=form.cleaned_data["details"]
    )
    messages.success(
        request,
        _("已收到您的“%(kind)s”请求，编号 %(pk)s。我们将在 %(due)s 前答复您。")
        % {"kind": req.get_kind_display(), "pk": req.pk, "due": f"{req.due_date:%Y年%m月%d日}"},
    )
    return _back(request, "#requests")


@require_http_methods(["GET", "POST"])
@selfservice_view
def complaint(request, contact):
    """File a complaint linked to this contact (complaints.services.complaint_submit)."""
    form = SelfServiceComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from complaints import services as complaint_services
        from complaints.models import Channel as ComplaintChannel
        from complaints.models import ComplaintCategory, ComplaintKind

        kind = ComplaintKind.objects.filter(code="complaint").first() or ComplaintKind.objects.first()
        category = ComplaintCategory.objects.filter(is_privacy=True).first() or ComplaintCategory.objects.first()
        complaint_obj, _secret = complaint_services.complaint_submit(
            kind=kind,
            category=category,
            description=form.cleaned_data["description"],
            channel=ComplaintChannel.SELFSERVICE,
            contact=contact,
            enterprise=contact.enterprise,
        )
        messages.success(
            request, _("您的投诉已受理，受理编号 %(ref)s。我们会尽快与您联系。") % {"ref": complaint_obj.reference}
        )
        return _back(request)
    return _render(request, "privacy/selfservice/complaint.html", {"contact": contact, "form": form})


@require_http_methods(["GET"])
@login_not_required
def invalid(request):
    """/c/ without a token: the neutral page (rate-limited like the rest)."""
    if _rate_limited(request):
        response = _render(request, "privacy/selfservice/rate_limited.html", status=429)
        response["Retry-After"] = "60"
        return _harden(response)
    return neutral_page(request)

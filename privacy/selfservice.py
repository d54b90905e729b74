"""The client self-service pages at /c/<token>/ (no account: the signed token is the key).

Every view here is public (`login_not_required`) and goes through `selfservice_view`, which
rate-limits per client IP, resolves the token, answers the same neutral page for any token that
does not open (bad, expired, revoked), and marks every response ``Cache-Control: no-store`` and
``Referrer-Policy: same-origin``. Actions are POSTs under Django's CSRF protection. Nothing here
logs; the token appears only in the URL path.
"""

import functools
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit.access import record_access

from . import services
from .forms import SelfServiceComplaintForm, SelfServiceRequestForm
from .models import Channel, Purpose, RequestKind

USE_ACTIONS = ["export", "share", "subject_export"]  # listed one by one on the page
COUNTED_ACTIONS = ["reveal", "view"]  # counted by month
# audit migration 0004 has a partial index on exactly USE_ACTIONS + COUNTED_ACTIONS.


def _rate_limited(request):
    """Count this request for the client's IP in the current minute; True once over the limit.

    On Redis: INCR and EXPIRE in one pipelined round trip (the counter is created by INCR, and its
    expiry is set only once, NX). Other caches: add + incr.
    """
    key = f"selfservice:rl:{services.ip_hash(request)[:40]}:{int(time.time() // 60)}"
    redis_cache = getattr(cache, "_cache", None)
    if hasattr(redis_cache, "get_client"):  # django.core.cache.backends.redis.RedisCache
        client = redis_cache.get_client(key, write=True)
        with client.pipeline(transaction=False) as pipe:
            count, _set = (
                pipe.incr(cache.make_and_validate_key(key))
                .expire(cache.make_and_validate_key(key), 120, nx=True)
                .execute()
            )
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


def neutral_page(request):
    """The one answer for every token that does not open: same status, same body."""
    context = {"officer_contact": settings.PRIVACY_OFFICER_CONTACT}
    return _harden(render(request, "privacy/selfservice/invalid.html", context, status=404))


def selfservice_view(view):
    """Public, rate-limited, token-resolving, never cached."""

    @functools.wraps(view)
    def wrapper(request, token, *args, **kwargs):
        if _rate_limited(request):
            response = render(request, "privacy/selfservice/rate_limited.html", status=429)
            response["Retry-After"] = "60"
            return _harden(response)
        contact = services.selfservice_resolve(token)
        if contact is None:
            return neutral_page(request)
        request.selfservice_path = f"/c/{token}/"
        return _harden(view(request, contact, *args, **kwargs))

    return login_not_required(wrapper)


def _back(request, anchor=""):
    return HttpResponseRedirect(request.selfservice_path + anchor)


# --- Pages ---------------------------------------------------------------------------------------


@require_http_methods(["GET"])
@selfservice_view
def home(request, contact):
    record_access(None, "selfservice_view", contact, subject_ids=[contact.pk], request=request)
    return render(request, "privacy/selfservice/home.html", _page_context(request, contact))


def _uses(contact):
    """Staff uses of this person's data: the latest exports/shares/copies, and views/reveals by month.

    One query. It starts from the person's AccessSubject rows and probes each event through the
    partial index of audit migration 0004, so its cost follows the number of events about this
    person (the person's own page views miss in that index without a table read), not the size
    of the whole access log. LATERAL ... LIMIT 1 keeps PostgreSQL from switching to a scan of the
    event table by time, which the LIMIT 50 otherwise tempts it into (hundreds of ms at 60k events).
    """
    from audit.models import AccessEvent

    labels = dict(AccessEvent.Action.choices)
    if connection.vendor != "postgresql":
        return _uses_orm(contact, labels)
    tz = timezone.get_current_timezone()
    sql = """
        WITH mine AS MATERIALIZED (
            SELECT e.at, e.action, e.purpose, e.row_count
            FROM audit_accesssubject s CROSS JOIN LATERAL (
                SELECT e.at, e.action, e.purpose, e.row_count FROM audit_accessevent e
                WHERE e.id = s.event_id AND NOT e.redacted AND e.action = ANY(%(all)s::varchar[]) LIMIT 1
            ) e
            WHERE s.contact_id = %(contact)s
        )
        (SELECT 'use', at, action, purpose, row_count FROM mine
         WHERE action = ANY(%(uses)s::varchar[]) ORDER BY at DESC LIMIT 50)
        UNION ALL
        (SELECT 'month', date_trunc('month', at AT TIME ZONE %(tz)s), action, '', count(*) FROM mine
         WHERE action = ANY(%(counted)s::varchar[]) GROUP BY 2, 3 ORDER BY 2 DESC LIMIT 48)
    """
    params = {
        "all": USE_ACTIONS + COUNTED_ACTIONS,
        "uses": USE_ACTIONS,
        "counted": COUNTED_ACTIONS,
        "contact": contact.pk,
        "tz": str(tz),
    }
    uses, months = [], {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, at, action, purpose, n in cursor.fetchall():
            if kind == "use":
                uses.append(
                    {
                        "at": at,
                        "action": action,
                        "purpose": purpose,
                        "row_count": n,
                        "label": labels.get(action, action),
                    }
                )
            else:
                # date_trunc over local time gives a wall-clock timestamp (psycopg may label it UTC)
                month = timezone.make_aware(at.replace(tzinfo=None), tz)
                months.setdefault(month, {"month": month, "reveal": 0, "view": 0})[action] = n
    return uses, list(months.values())[:24]


def _uses_orm(contact, labels):
    """The same on other databases (SQLite for a first look)."""
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from audit.models import AccessEvent

    events = AccessEvent.objects.filter(subjects__contact_id=contact.pk, redacted=False)
    uses = list(
        events.filter(action__in=USE_ACTIONS).order_by("-at").values("at", "action", "purpose", "row_count")[:50]
    )
    for use in uses:
        use["label"] = labels.get(use["action"], use["action"])
    by_month = (
        events.filter(action__in=COUNTED_ACTIONS)
        .annotate(month=TruncMonth("at"))
        .values("month", "action")
        .annotate(n=Count("id"))
        .order_by("-month")
    )
    months = {}
    for row in by_month:
        months.setdefault(row["month"], {"month": row["month"], "reveal": 0, "view": 0})[row["action"]] = row["n"]
    return uses, list(months.values())[:24]


def _page_context(request, contact):
    uses, months = _uses(contact)
    return {
        "contact": contact,
        "enterprise": contact.enterprise,
        "rows": services.consent_state(contact),
        "history": services.consent_history(contact, limit=100),
        "uses": uses,
        "months": months,
        "requests": list(contact.subject_requests.order_by("-received_at")[:20]),
        "request_kinds": [
            (RequestKind.ACCESS, _("申请获取我的信息副本")),
            (RequestKind.CORRECTION, _("申请更正我的信息")),
            (RequestKind.DELETION, _("申请删除我的信息")),
        ],
        "request_form": SelfServiceRequestForm(),
        "policy": services.current_policy(),
        "ZONE_NAME": settings.ZONE_NAME,
        "officer_contact": settings.PRIVACY_OFFICER_CONTACT,
        "base_path": request.selfservice_path,
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
    return render(
        request,
        "privacy/selfservice/separate.html",
        {"contact": contact, "purpose": purpose, "details": details, "base_path": request.selfservice_path},
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
    return render(
        request,
        "privacy/selfservice/complaint.html",
        {"contact": contact, "form": form, "base_path": request.selfservice_path},
    )


@require_http_methods(["GET"])
@login_not_required
def invalid(request):
    """/c/ without a token: the neutral page (rate-limited like the rest)."""
    if _rate_limited(request):
        return _harden(render(request, "privacy/selfservice/rate_limited.html", status=429))
    return neutral_page(request)

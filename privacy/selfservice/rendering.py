"""How the self-service pages are rendered and guarded: rate limit, door cookie, plain-context rendering.

Every view of `privacy.selfservice.views` is public (`login_not_required`) and goes through
`selfservice_view`, which rate-limits per client IP, opens the link named by the door cookie
(`door.cookie_nonce`, `prepared._open_nonce`), answers the same neutral page for any cookie that
does not open (absent, forged, old, link expired or revoked), and marks every response
``Cache-Control: no-store``. Pages are rendered without context processors (`_render`); the home
page's fixed wording is baked into its template once per language (`_baked`).
"""

import functools
import re
import time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.template import engines, loader
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from privacy.consent.models import Channel, ConsentAction, LegalBasis
from privacy.consent.services import ip_hash
from privacy.requests.models import RequestKind, RequestStatus
from zhaoshang.core.ratelimit import cache_unavailable, over_limit

from . import door
from .prepared import _open_nonce
from .services import NO_NONCE

# INCR, and EXPIRE when the counter was just created, atomically on the server (one command).
_COUNT_SCRIPT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""
_counters = {}  # id(Redis cache backend) -> (backend, its Redis client, the registered script)


def _rate_limited(request, *, scope="selfservice", limit=None):
    """Count this request for the client's IP in the current minute; True once over the limit.

    `scope` names the counter ("selfservice": the self-service door and pages; "track": the
    complaint-tracking link), `limit` its requests per minute (default
    SELFSERVICE_RATE_LIMIT_PER_MINUTE). The IP is the client's behind trusted proxies
    (zhaoshang.core.middleware.ClientAddressMiddleware).

    On Redis: one EVALSHA of a script that increments the counter and gives a new one its
    two-minute expiry (one round trip, atomic). The client is built once per cache backend:
    Django's get_client() builds a new redis.Redis, with its table of response callbacks, on
    every call. Other caches: add + incr. When the cache cannot be reached the request is let
    through and a warning logged (zhaoshang.core.ratelimit), never a 500.
    """
    key = f"{scope}:rl:{ip_hash(request)[:40]}:{int(time.time() // 60)}"
    limit = settings.SELFSERVICE_RATE_LIMIT_PER_MINUTE if limit is None else limit
    redis_cache = getattr(cache, "_cache", None)
    if not hasattr(redis_cache, "get_client"):
        return over_limit(key, limit=limit, window=120, scope=scope)
    # django.core.cache.backends.redis.RedisCache
    try:
        counter = _counters.get(id(redis_cache))
        if counter is None or counter[0] is not redis_cache:
            client = redis_cache.get_client(key, write=True)
            counter = _counters[id(redis_cache)] = (redis_cache, client, client.register_script(_COUNT_SCRIPT))
        _backend, client, script = counter
        count = script(keys=[cache.make_and_validate_key(key)], args=[120], client=client)
    except Exception as exc:  # noqa: BLE001 - Redis down: the person's page matters more than the count
        cache_unavailable(scope, exc)
        return False
    return count > limit


def _harden(response, *, referrer_policy="same-origin"):
    """no-store, noindex, and a Referrer-Policy: "no-referrer" where the URL holds a token (the
    door, the neutral page), "same-origin" on the pages behind the door -- their URLs hold none,
    and with no-referrer Chromium sends "Origin: null" on form posts, which CSRF origin checking
    refuses. Cross-site requests never get a Referer either way."""
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    response["Referrer-Policy"] = referrer_policy
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def rate_limited_page(request):
    response = _render(request, "privacy/selfservice/rate_limited.html", status=429)
    response["Retry-After"] = "60"
    return _harden(response, referrer_policy="no-referrer")


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
        "favicon": static("favicon.svg"),
        "officer_label": _("个人信息保护负责人："),
        "officer_contact": settings.PRIVACY_OFFICER_CONTACT,
    }


def neutral_page(request):
    """The one answer for every token or cookie that does not open: same status, same body."""
    body = render_to_string("privacy/selfservice/invalid.html", {"officer_contact": settings.PRIVACY_OFFICER_CONTACT})
    # no request: no context processors, no CSRF cookie; a door cookie that no longer opens is dropped
    response = HttpResponse(body, status=404)
    if door.COOKIE_NAME in request.COOKIES:
        door.clear_cookie(response)
    return _harden(response, referrer_policy="no-referrer")


def selfservice_view(view=None, *, page=False):
    """Public, rate-limited, opened by the door cookie, never cached. With `page` (a page view), the
    link's statement also records the view's access event and reads the page's rows for the view.

    The view is called as view(request, contact, [rows,] *args, **kwargs) -- no token: a page (or
    a download) under /c/ knows the person from the cookie alone.
    """
    if view is None:
        return functools.partial(selfservice_view, page=page)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if _rate_limited(request):
            return rate_limited_page(request)
        nonce, signed_at = door.cookie_nonce(request)
        # a missing or forged cookie runs the same statement as a revoked link (same path, same time)
        contact, rows = _open_nonce(nonce or NO_NONCE, view=request if page else None)
        if contact is None:
            return neutral_page(request)
        request.selfservice_path = door.COOKIE_PATH
        if page:
            response = view(request, contact, rows, *args, **kwargs)
        else:
            response = view(request, contact, *args, **kwargs)
        return _harden(door.renew_cookie(response, nonce, signed_at))

    return login_not_required(wrapper)


def _back(request, anchor=""):
    return HttpResponseRedirect(request.selfservice_path + anchor)


@functools.lru_cache(maxsize=8)
def _labels(language):
    """The choice labels the page shows, translated into `language` once per process."""
    from audit.models import AccessEvent
    from complaints.models import Status as ComplaintStatus

    def labels(choices):
        return {value: str(label) for value, label in choices.choices}

    return {
        "basis": labels(LegalBasis),
        "action": labels(ConsentAction),
        "channel": labels(Channel),
        "use": labels(AccessEvent.Action),
        "kind": labels(RequestKind),
        "status": labels(RequestStatus),
        "complaint_status": labels(ComplaintStatus),
        "request_kinds": [
            (RequestKind.ACCESS.value, _("申请获取我的信息副本")),
            (RequestKind.PORTABILITY.value, _("申请转移我的信息")),
            (RequestKind.CORRECTION.value, _("申请更正我的信息")),
            (RequestKind.DELETION.value, _("申请删除我的信息")),
            (RequestKind.RESTRICTION.value, _("限制或拒绝处理")),
            (RequestKind.EXPLANATION.value, _("请求解释处理规则")),
            (RequestKind.WITHDRAWAL.value, _("撤回全部同意")),
        ],
    }


def _page_data(rows):
    """Display-ready rows for the page: names in the current language, labels translated once."""
    purposes, history, uses, month_rows, requests, policy_version, complaint_rows, recipient_rows = rows
    language = translation.get_language() or ""
    en = language.startswith("en")
    labels = _labels(language)
    bases = labels["basis"]
    recipients = {}
    for code, pid, pname, granted, has_state, current in recipient_rows:
        recipients.setdefault(code, []).append(
            {"pk": pid, "name": pname, "granted": granted, "withdrawn": has_state and not granted, "current": current}
        )
    out = []
    for code, name, name_en, desc, desc_en, basis, separate, has_state, granted, renewal, in_time, provides in purposes:
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
                # [I] a purpose that provides to others: one separate consent per recipient
                "provides_to_others": provides,
                "recipients": recipients.get(code, []),
            }
        )
    actions, channels = labels["action"], labels["channel"]
    history = [
        (at, (en and name_en) or name, actions.get(action, action), channels.get(channel, channel), version or "—")
        for at, name, name_en, action, channel, version in history
    ]
    uses_labels = labels["use"]
    shares = [(at, recipient or "—", purpose or "—") for at, action, purpose, recipient in uses if action == "share"]
    uses = [
        (at, uses_labels.get(action, action), purpose or "—") for at, action, purpose, _r in uses if action != "share"
    ]
    months = {}
    for month, action, n in month_rows:
        months.setdefault(month, {"month": month, "reveal": 0, "view": 0})[action] = n
    kinds, statuses = labels["kind"], labels["status"]
    requests = [(pk, kinds.get(kind, kind), statuses.get(status, status), due) for pk, kind, status, due in requests]
    complaint_statuses = labels["complaint_status"]
    complaints = [(ref, category, complaint_statuses.get(st, st), day) for ref, category, st, day in complaint_rows]
    return {
        "rows": out,
        "history": history,
        "uses": uses,
        "shares": shares,
        "months": list(months.values())[:24],
        "requests": requests,
        "complaints": complaints,
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
    from privacy.incidents.selfservice import incident_notices

    return {
        "contact": contact,
        "enterprise": contact.enterprise,
        **_page_data(rows),
        "officer_contact": settings.PRIVACY_OFFICER_CONTACT,
        "incident_notices": incident_notices(contact),  # [J] Art. 57 notices, at the top of the page
    }

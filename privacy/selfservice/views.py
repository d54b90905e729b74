"""The client self-service pages at /c/ (no account: the link's token, swapped for a cookie, is the key).

`door` is the link itself, /c/<token>/: it swaps the token for the door cookie and redirects to
the page without it (privacy.selfservice.door). Every page is public (`login_not_required`) and
goes through `rendering.selfservice_view` (rate limit, cookie gate, neutral page, no-store).
Actions are POSTs under Django's CSRF protection. Nothing here logs; the token appears only in
the door's request line, which the log filter redacts.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from privacy.consent import services
from privacy.consent.models import Channel, Purpose

from . import door as door_cookie
from .forms import SelfServiceComplaintForm, SelfServiceRequestForm
from .prepared import _open_nonce
from .rendering import (
    _back,
    _harden,
    _home_template,
    _page_context,
    _rate_limited,
    _render,
    neutral_page,
    rate_limited_page,
    selfservice_view,
)
from .services import NO_NONCE, token_nonce


@require_http_methods(["GET"])
@login_not_required
def door(request, token, rest=""):
    """The link /c/<token>/ (or /c/<token>/<page>): swap the token for the door cookie, then go to
    /c/ (or /c/<page>) -- a URL without it. A token that does not open gets the neutral page, by
    the same statement (and so in the same time) as a real token that is expired or revoked."""
    if _rate_limited(request):
        return rate_limited_page(request)
    nonce = token_nonce(token)
    contact, _rows = _open_nonce(nonce or NO_NONCE)
    if contact is None:
        return neutral_page(request)
    target = door_cookie.COOKIE_PATH + rest
    try:
        if resolve(target).url_name in (None, "door", "door_to"):
            target = door_cookie.COOKIE_PATH
    except Resolver404:
        target = door_cookie.COOKIE_PATH
    response = door_cookie.set_cookie(HttpResponseRedirect(target), nonce)
    return _harden(response, referrer_policy="no-referrer")


@require_http_methods(["GET"])
@selfservice_view(page=True)
def home(request, contact, rows):
    """The page; its view was recorded as an access event about the person by `_open`."""
    return _render(request, _home_template(), _page_context(contact, rows))


def _recipient(purpose, value):
    """The partner named by the posted id, for a purpose that provides to others (else None)."""
    from privacy.sharing.models import Partner

    if not purpose.provides_to_others or not str(value or "").isdigit():
        return None
    return Partner.objects.filter(pk=int(value)).first()


@require_POST
@selfservice_view
def consent(request, contact):
    """One click: grant or withdraw one purpose (for a purpose that provides to others: one
    recipient). Separate-consent purposes are granted through their own step."""
    purpose = Purpose.objects.filter(code=request.POST.get("purpose", ""), is_active=True).first()
    action = request.POST.get("action")
    if purpose is None or action not in ("grant", "withdraw") or not purpose.needs_consent:
        messages.error(request, _("操作无效，请刷新页面后重试。"))
        return _back(request)
    recipient = _recipient(purpose, request.POST.get("recipient"))
    if purpose.provides_to_others and recipient is None:
        messages.error(request, _("操作无效，请刷新页面后重试。"))
        return _back(request, "#purposes")
    if action == "withdraw":
        services.consent_withdraw(
            contact=contact, purpose=purpose, channel=Channel.SELFSERVICE, request=request, recipient=recipient
        )
        if recipient is not None:
            messages.success(
                request,
                _("您已撤回向“%(recipient)s”提供个人信息的同意，立即生效。") % {"recipient": recipient.name},
            )
        else:
            messages.success(
                request, _("您已撤回对“%(purpose)s”的同意，立即生效。") % {"purpose": purpose.display_name}
            )
    elif purpose.requires_separate_consent:
        step = f"{purpose.code}/{recipient.pk}/" if recipient is not None else f"{purpose.code}/"
        return HttpResponseRedirect(f"{request.selfservice_path}separate/{step}")
    else:
        services.consent_grant(contact=contact, purpose=purpose, channel=Channel.SELFSERVICE, request=request)
        messages.success(request, _("您已同意“%(purpose)s”。您可随时在本页撤回。") % {"purpose": purpose.display_name})
    return _back(request, "#purposes")


@require_http_methods(["GET", "POST"])
@selfservice_view
def separate(request, contact, code, recipient_id=None):
    """Separate consent (单独同意): its own page naming the recipient (for a purpose that provides
    to others: one partner, with its name and contact), the purpose, method and categories. What
    the page showed is stored with the grant."""
    purpose = Purpose.objects.filter(code=code, is_active=True, requires_separate_consent=True).first()
    if purpose is None:
        return _back(request)
    recipient = None
    if purpose.provides_to_others:
        recipient = services.purpose_recipients(purpose).filter(pk=recipient_id).first() if recipient_id else None
        if recipient is None:  # no longer (or never) a recipient: nothing to consent to
            messages.error(request, _("该接收方目前没有有效的提供协议，无需也不能同意。"))
            return _back(request, "#purposes")
    details = services.separate_details(purpose, recipient=recipient)
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("请勾选确认后再提交。"))
        else:
            try:
                services.consent_grant(
                    contact=contact,
                    purpose=purpose,
                    channel=Channel.SELFSERVICE,
                    request=request,
                    separate=details,
                    recipient=recipient,
                )
            except services.ConsentError as exc:
                messages.error(request, exc.messages[0])
                return _back(request, "#purposes")
            if recipient is not None:
                messages.success(
                    request,
                    _("您已单独同意向“%(recipient)s”提供您的个人信息。您可随时在本页撤回。")
                    % {"recipient": recipient.name},
                )
            else:
                messages.success(
                    request, _("您已单独同意“%(purpose)s”。您可随时在本页撤回。") % {"purpose": purpose.display_name}
                )
            return _back(request, "#purposes")
    from privacy.models import DataCategory

    labels = dict(DataCategory.choices)
    return _render(
        request,
        "privacy/selfservice/separate.html",
        {
            "contact": contact,
            "purpose": purpose,
            "details": details,
            "recipient": recipient,
            "category_labels": [labels.get(c, c) for c in details["categories"]],
            "back": "../../../" if recipient is not None else "../../",
        },
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
    """The page's request buttons of the first version: on to the kind's own short form ([H])."""
    form = SelfServiceRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请求类型无效，请刷新页面后重试。"))
        return _back(request, "#requests")
    return _back(request, f"request/{form.cleaned_data['kind']}/")


@require_http_methods(["GET", "POST"])
@selfservice_view
def complaint(request, contact):
    """File a complaint linked to this contact, in the category the person chose. Its tracking link
    is shown once, on the answer to the POST (the secret is stored only as a digest); the complaint
    then appears on the person's page. Staff see the person through the complaint's identity, as for
    any complaint: confidential to the department complained about."""
    form = SelfServiceComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from complaints import services as complaint_services
        from complaints.models import Channel as ComplaintChannel

        complaint_obj, secret = complaint_services.complaint_submit(
            kind=form.cleaned_data["kind"],
            category=form.cleaned_data["category"],
            description=form.cleaned_data["description"],
            channel=ComplaintChannel.SELFSERVICE,
            contact=contact,
            enterprise=contact.enterprise,
        )
        link = request.build_absolute_uri(reverse("complaints:track", args=[complaint_obj.reference, secret]))
        return _render(
            request, "privacy/selfservice/complaint_done.html", {"reference": complaint_obj.reference, "link": link}
        )
    return _render(request, "privacy/selfservice/complaint.html", {"contact": contact, "form": form})

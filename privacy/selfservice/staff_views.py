"""Staff actions on a contact's self-service links: issue one (shown, printed as a QR code, e-mailed
or sent by SMS) and revoke them all. Contact-bound: `clients.scopes.get_contact_for_user` (404
outside scope), then the link permission."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clients.scopes import get_contact_for_user
from privacy.consent.services import ConsentError
from privacy.shortcuts import require_perms

from . import services
from .forms import SendLinkForm
from .models import LinkChannel


@never_cache
@require_POST
def link_send(request, pk):
    """Issue a self-service link: show it, print it as a QR code, or send it by e-mail or SMS."""
    contact = get_contact_for_user(request.user, pk)
    require_perms(request.user, "privacy.add_selfservicelink")
    form = SendLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择发送方式。"))
        return redirect(contact)
    via = form.cleaned_data["via"]
    try:
        if via == LinkChannel.EMAIL:
            services.selfservice_send_email(contact=contact, user=request.user)
            messages.success(request, _("自助链接已通过电子邮件发送。"))
            return redirect(contact)
        if via == LinkChannel.SMS:
            services.selfservice_send_sms(contact=contact, user=request.user)
            messages.success(request, _("自助链接已通过短信发送。"))
            return redirect(contact)
    except ConsentError as exc:
        messages.error(request, exc.messages[0])
        return redirect(contact)
    url = services.selfservice_url(services.selfservice_link(contact, channel=via, user=request.user))
    response = render(
        request,
        "privacy/link_issued.html",
        {
            "contact": contact,
            "url": url,
            "qr_svg": _qr_svg(url),
            "print": via == LinkChannel.PRINT,
            "days": settings.SELFSERVICE_TOKEN_MAX_AGE_DAYS,
        },
    )
    response["Cache-Control"] = "no-store"
    # same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on form posts and
    # CSRF origin checking refuses them. Cross-site requests still get no Referer (no token leak).
    response["Referrer-Policy"] = "same-origin"
    return response


def _qr_svg(url):
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    return svg[svg.find("<svg") :]


@require_POST
def link_revoke(request, pk):
    contact = get_contact_for_user(request.user, pk)
    require_perms(request.user, "privacy.add_selfservicelink")
    count = services.selfservice_revoke(contact=contact, user=request.user)
    messages.success(request, _("已撤销 %(n)s 个自助链接。") % {"n": count})
    return redirect(contact)

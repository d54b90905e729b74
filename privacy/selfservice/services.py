"""Self-service link services: issue, revoke, resolve and send the person's /c/<token>/ link.

`selfservice_link(contact)` issues a `SelfServiceLink` row (random nonce) and returns the path
``/c/<token>/``; the token is a TimestampSigner signature of (contact id, nonce). A token is
accepted while its signature is valid and younger than SELFSERVICE_TOKEN_MAX_AGE_DAYS and its
row is neither expired nor revoked. Tokens are never logged.
"""

import datetime
import secrets

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from privacy.consent.services import ConsentError

from .models import LinkChannel, SelfServiceLink

TOKEN_SALT = "privacy.selfservice.link"  # noqa: S105 - a namespace, not a secret (never change: it signs live links)


def _signer():
    return signing.TimestampSigner(salt=TOKEN_SALT)


def _max_age():
    return datetime.timedelta(days=settings.SELFSERVICE_TOKEN_MAX_AGE_DAYS)


@transaction.atomic
def selfservice_link(contact, *, channel=LinkChannel.SCREEN, user=None):
    """Issue a new self-service link for `contact` and return its path, "/c/<token>/"."""
    return _issue(contact, channel=channel, user=user)[1]


def _issue(contact, *, channel, user):
    link = SelfServiceLink.objects.create(
        contact=contact,
        nonce=secrets.token_urlsafe(16),
        expires_at=timezone.now() + _max_age(),
        channel=channel,
        issued_by=user if getattr(user, "is_authenticated", False) else None,
    )
    token = _signer().sign(f"{contact.pk}.{link.nonce}")
    return link, f"/c/{token}/"


@transaction.atomic
def selfservice_revoke(*, contact, user=None):
    """Revoke every active link of `contact` (the nonces stop working). Returns how many."""
    return SelfServiceLink.objects.filter(contact=contact, revoked_at__isnull=True).update(revoked_at=timezone.now())


def selfservice_resolve(token):
    """The contact a token opens, or None (bad signature, too old, expired, revoked, shredded)."""
    if not token or len(token) > 200:
        return None
    try:
        value = _signer().unsign(token, max_age=_max_age())
        contact_id, nonce = value.split(".", 1)
        contact_id = int(contact_id)
    except (signing.BadSignature, ValueError):
        return None
    link = (
        SelfServiceLink.objects.filter(
            nonce=nonce, contact_id=contact_id, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("contact__enterprise", "contact__subject_key")
        .first()
    )  # one query: link, contact, enterprise and key
    if link is None:
        return None
    contact = link.contact
    if contact.subject_key is None or contact.subject_key.is_shredded:
        return None
    return contact


def selfservice_url(path):
    return settings.SITE_URL.rstrip("/") + path


def selfservice_send_email(*, contact, user):
    """E-mail the person a fresh link. Raises ConsentError when the contact has no e-mail."""
    from zhaoshang.core.mail import send_email

    address = str(contact.email or "")
    if not address:
        raise ConsentError(_("该联系人没有电子邮箱，无法发送。"))
    url = selfservice_url(selfservice_link(contact, channel=LinkChannel.EMAIL, user=user))
    context = {
        "url": url,
        "zone_name": settings.ZONE_NAME,
        "officer_contact": settings.PRIVACY_OFFICER_CONTACT,
        "days": settings.SELFSERVICE_TOKEN_MAX_AGE_DAYS,
    }
    send_email("privacy/email/selfservice_link", context, [address])


def selfservice_send_sms(*, contact, user):
    """Text the person a fresh link. Raises ConsentError — and leaves no live link behind — when no
    SMS provider is configured, the contact has no mobile, or the gateway did not accept it."""
    from privacy.sms import get_sms_backend, sms_configured

    if not sms_configured():
        raise ConsentError(
            _("未配置短信服务，链接没有发送。请改用电子邮件发送，或选择“页面显示”/“打印二维码”当面交给对方。")
        )
    number = str(contact.mobile or "")
    if not number:
        raise ConsentError(_("该联系人没有手机号，无法发送。"))
    with transaction.atomic():
        link, path = _issue(contact, channel=LinkChannel.SMS, user=user)
    url = selfservice_url(path)
    text = _("【%(zone)s】您可通过以下链接查看和管理您的个人信息授权（%(days)s天内有效）：%(url)s") % {
        "zone": settings.ZONE_NAME,
        "days": settings.SELFSERVICE_TOKEN_MAX_AGE_DAYS,
        "url": url,
    }
    if not get_sms_backend().send(number, text):
        SelfServiceLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
        raise ConsentError(_("短信网关没有接受该短信，链接已作废。请稍后重试，或改用电子邮件、页面显示。"))

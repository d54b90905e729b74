"""One-time codes: 6 digits sent to the recorded mobile (SMS backend) or e-mail, valid
`SUBJECT_REQUEST_CODE_MINUTES` (10), `SUBJECT_REQUEST_CODE_ATTEMPTS` (3) tries. Only a keyed
digest (HMAC under SECRET_KEY, bound to the request) is stored; a new code replaces the old one.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import VerificationCode


class CodeError(ValidationError):
    """A code that does not verify: wrong, expired, used up or locked."""


def _digest(request_id, code):
    key = hashlib.sha256(f"privacy.requests.code:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, f"{request_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _send(contact, code):
    """Send `code` to the contact's recorded mobile (when an SMS provider is set up) or e-mail.
    Returns "sms", "email" or "" (no recorded channel could take it)."""
    from privacy.sms import get_sms_backend, sms_configured
    from zhaoshang.core.mail import send_email

    minutes = settings.SUBJECT_REQUEST_CODE_MINUTES
    if contact is None:
        return ""
    number = str(contact.mobile or "")
    if number and sms_configured():
        text = _("【%(zone)s】您的个人信息权利请求验证码：%(code)s，%(minutes)s分钟内有效。如非本人操作，请忽略。") % {
            "zone": settings.ZONE_NAME,
            "code": code,
            "minutes": minutes,
        }
        if get_sms_backend().send(number, text):
            return "sms"
    address = str(contact.email or "")
    if address:
        context = {"code": code, "minutes": minutes, "zone_name": settings.ZONE_NAME}
        if send_email("privacy/email/request_code", context, [address]):
            return "email"
    return ""


def code_issue(subject_request):
    """Replace any earlier code of the request with a fresh one and send it. Returns the channel
    used ("sms"/"email") or "" when nothing could be sent (no row is then kept)."""
    code = f"{secrets.randbelow(10**6):06d}"
    via = _send(subject_request.contact, code)
    VerificationCode.objects.filter(request=subject_request, used_at__isnull=True).delete()
    if not via:
        return ""
    now = timezone.now()
    VerificationCode.objects.create(
        request=subject_request,
        digest=_digest(subject_request.pk, code),
        sent_via=via,
        created_at=now,
        expires_at=now + timezone.timedelta(minutes=settings.SUBJECT_REQUEST_CODE_MINUTES),
    )
    return via


def code_check(subject_request, code):
    """Consume `code` for the request, or raise CodeError with the reason in Chinese.

    Each wrong try counts; after the last allowed one the code is locked and a new one must be
    sent. Comparison is constant-time."""
    row = (
        VerificationCode.objects.select_for_update()
        .filter(request=subject_request, used_at__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )
    if row is None:
        raise CodeError(_("没有有效的验证码，请重新获取。"))
    if row.attempts >= settings.SUBJECT_REQUEST_CODE_ATTEMPTS:
        raise CodeError(_("验证码错误次数过多，已失效，请重新获取。"))
    if row.expires_at <= timezone.now():
        raise CodeError(_("验证码已过期，请重新获取。"))
    code = "".join(ch for ch in str(code or "") if ch.isdigit())
    if len(code) != 6 or not hmac.compare_digest(row.digest, _digest(subject_request.pk, code)):
        row.attempts += 1
        row.save(update_fields=["attempts"])
        left = settings.SUBJECT_REQUEST_CODE_ATTEMPTS - row.attempts
        if left <= 0:
            raise CodeError(_("验证码错误次数过多，已失效，请重新获取。"))
        raise CodeError(_("验证码不正确，还可尝试 %(n)s 次。") % {"n": left})
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    return True

"""Integrations: service users, API keys, 12345 hotline intake. Webhook deliveries are in `webhooks`.

Keyword-only, atomic `<noun>_<verb>` functions; the admin console and the management commands
call these, never the models directly.
"""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiKey, HotlineTicket, Integration

logger = logging.getLogger(__name__)

KEY_SCHEME = "zsk"  # keys read zsk_<12 hex prefix>_<43 url-safe characters, 256 bits>


def service_username(code):
    return f"api-{code}"


# --- integrations and their service users ------------------------------------------------------


@transaction.atomic
def integration_save(*, integration):
    """Create or update an integration and keep its service user in step with it.

    The service user is a real account (unusable password: it cannot sign in to the portal) whose
    role group and department are the integration's, so every scope, gate and permission of the
    portal applies to the API unchanged. Deactivating the integration deactivates the account,
    which refuses all its keys at once.
    """
    from clients.models import StaffProfile

    User = get_user_model()
    username = service_username(integration.code)
    user = integration.service_user
    taken = User.objects.filter(username=username)
    if user is not None:
        taken = taken.exclude(pk=user.pk)
    if taken.exists():
        raise ValidationError({"code": _("账号名 %(name)s 已被其他用户使用，请换一个代码。") % {"name": username}})
    if user is None:
        user = User(username=username, is_staff=False, is_active=integration.is_active)
        user.set_unusable_password()
        user.save()
        integration.service_user = user
    elif (user.username, user.is_active) != (username, integration.is_active):
        user.username, user.is_active = username, integration.is_active
        user.save(update_fields=["username", "is_active"])
    integration.scopes = sorted(set(integration.scopes or []))
    integration.save()
    user.groups.set([integration.role.group_id])
    StaffProfile.objects.update_or_create(
        user=user, defaults={"department": integration.department, "title": _("接口服务账号")}
    )
    return integration


@transaction.atomic
def webhook_secret_rotate(*, integration):
    """A new signing secret for the call-backs; returned once (the admin shows it), kept encrypted."""
    integration = Integration.objects.select_for_update(of=("self",)).get(pk=integration.pk)
    secret = secrets.token_urlsafe(32)
    integration.webhook_secret = secret
    integration.save(update_fields=["webhook_secret", "updated_at"])
    return secret


# --- API keys -------------------------------------------------------------------------------------


@transaction.atomic
def api_key_issue(*, integration, by=None, days=None, label=""):
    """A new key for `integration`: returns `(ApiKey, plaintext)`. The plaintext exists only here."""
    days = settings.API_KEY_DEFAULT_DAYS if days is None else days
    if not 1 <= int(days) <= settings.API_KEY_MAX_DAYS:
        raise ValidationError({"days": _("有效期须在1至%(max)s天之间。") % {"max": settings.API_KEY_MAX_DAYS}})
    prefix = secrets.token_hex(6)
    plaintext = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        integration=integration,
        label=(label or "")[:100],
        prefix=prefix,
        secret_hash=ApiKey.digest(plaintext),
        created_by=by if getattr(by, "is_authenticated", False) else None,
        expires_at=timezone.now() + timedelta(days=int(days)),
    )
    return key, plaintext


@transaction.atomic
def api_key_revoke(*, key, by=None):
    """Refuse the key from now on. Idempotent."""
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.revoked_by = by if getattr(by, "is_authenticated", False) else None
        key.save(update_fields=["revoked_at", "revoked_by"])
    return key


@transaction.atomic
def api_key_rotate(*, key, by=None, grace_hours=None):
    """Issue a successor and let the old key expire after a grace period (the other side switches over).

    Returns `(new ApiKey, plaintext)`. A revoked or expired key cannot be rotated: issue a new one.
    """
    key = ApiKey.objects.select_for_update().select_related("integration").get(pk=key.pk)
    if not key.is_usable():
        raise ValidationError(_("该密钥已吊销或过期，不能轮换；请直接生成新密钥。"))
    grace = settings.API_KEY_ROTATION_GRACE_HOURS if grace_hours is None else grace_hours
    days = max((key.expires_at - key.created_at).days, 1)
    new_key, plaintext = api_key_issue(
        integration=key.integration, by=by, days=min(days, settings.API_KEY_MAX_DAYS), label=key.label
    )
    key.expires_at = min(key.expires_at, timezone.now() + timedelta(hours=grace))
    key.replaced_by = new_key
    key.save(update_fields=["expires_at", "replaced_by"])
    return new_key, plaintext


def api_key_authenticate(presented):
    """The usable `ApiKey` a presented key string belongs to, or None (one indexed query).

    The row is found by its prefix and the whole key compared with the stored digest in constant
    time; revoked, expired, deactivated integrations and inactive service users are refused alike.
    """
    parts = (presented or "").split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_SCHEME or not parts[1] or len(parts[1]) > 16:
        return None
    key = ApiKey.objects.select_related("integration", "integration__service_user").filter(prefix=parts[1]).first()
    if key is None or not key.matches(presented):
        return None
    integration = key.integration
    user = integration.service_user
    if not (key.is_usable() and integration.is_active and user is not None and user.is_active):
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)  # at most one write a minute per key
        key.last_used_at = now
    return key


# --- 12345 hotline intake ---------------------------------------------------------------------------


def hotline_complaint_submit(*, integration, hotline_id, **fields):
    """File a complaint forwarded by the hotline, once per hotline ticket id.

    Goes through `complaints.services.complaint_submit` (reference number, deadlines, timeline,
    encrypted attachments) as the integration's service user. Returns `(complaint, created)`: a
    repeated call with the same hotline id returns the complaint filed the first time, also when
    two calls race (the unique constraint decides; the loser's transaction is rolled back whole).
    """
    from complaints.models import Channel
    from complaints.services import complaint_submit

    existing = HotlineTicket.objects.filter(integration=integration, hotline_id=hotline_id).first()
    if existing is not None:
        return existing.complaint, False
    try:
        with transaction.atomic():
            complaint, _secret = complaint_submit(
                channel=Channel.HOTLINE_12345, created_by=integration.service_user, **fields
            )
            HotlineTicket.objects.create(integration=integration, hotline_id=hotline_id, complaint=complaint)
    except IntegrityError:
        ticket = HotlineTicket.objects.filter(integration=integration, hotline_id=hotline_id).first()
        if ticket is None:
            raise
        return ticket.complaint, False
    return complaint, True


def hotline_ticket_for(integration, hotline_id):
    """The integration's own ticket (with its complaint), or None: a hotline sees only what it filed."""
    return (
        HotlineTicket.objects.select_related("complaint", "complaint__kind", "complaint__category")
        .filter(integration=integration, hotline_id=hotline_id)
        .first()
    )

"""Notification writes: `notify` (the one entry point), mark read, preferences, the daily digest.

- `notify` writes one in-app row per user, in the caller's transaction, and sends the e-mail of
  those who want it at once after the commit (one message to all of them: the text is the same
  and carries references only). Digest rows wait for `notifications_digest_send`.
- An e-mail that could not be sent at once is not lost: its row stays unsent and goes out in the
  next daily digest. A row is e-mailed at most once (`emailed_at`).
"""

import datetime
import logging
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from zhaoshang.core.mail import send_email

from .kinds import KINDS, Channel, Kind, get_kind
from .models import Notification, NotificationPreference

logger = logging.getLogger(__name__)

MAX_PARAM_LENGTH = 40
BADGE_CAP = 99
# An immediate e-mail still unsent after this long is picked up by the next digest run.
RETRY_AFTER = datetime.timedelta(minutes=30)


def _plain(name, value):
    """A reference value as stored: int, or a short one-line string (dates as YYYY-MM-DD)."""
    if isinstance(value, bool):
        raise TypeError(f"notification param {name!r}: booleans are not references")
    if isinstance(value, int):
        return value
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value).date():%Y-%m-%d}" if timezone.is_aware(value) else f"{value:%Y-%m-%d}"
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (str, Promise)):
        text = str(value)
        if len(text) > MAX_PARAM_LENGTH or any(c in text for c in "\r\n\t"):
            raise ValueError(f"notification param {name!r}: a reference, status or date, not free text")
        return text
    raise TypeError(f"notification param {name!r}: {type(value).__name__} is not a plain reference value")


def clean_params(kind, context):
    """Only the kind's own placeholders, each a plain reference value (see `_plain`)."""
    context = context or {}
    return {name: _plain(name, context[name]) for name in kind.params if name in context}


def channel_for(kind, stored):
    """The channel in force: the user's choice if this kind allows it, else the kind's default."""
    return stored if stored in kind.channels() else kind.default


def _recipients(users):
    seen, result = set(), []
    for user in users:
        if user is None or not getattr(user, "is_active", False) or user.pk in seen:
            continue
        seen.add(user.pk)
        result.append(user)
    return result


def _insert_once(row):
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        return False  # this user was told already (an earlier run, or a parallel worker)
    return True


def notify(users, kind, obj=None, context=None, *, once_key=""):
    """Tell `users` (User objects) about `obj` with a notification of `kind` (a code or a Kind).

    `context` supplies the kind's placeholders (reference numbers, statuses, dates, counts); any
    other key is dropped and a value that is not a short plain scalar is refused. Each active user
    gets an in-app row unless they turned the kind off, and an e-mail now or in the daily digest
    if they (or the kind's default) say so. With `once_key` (e.g. a deadline) a user is told once
    per kind, object and key, whatever the number of runs. Returns the rows created.
    """
    kind = kind if isinstance(kind, Kind) else get_kind(kind)
    params = clean_params(kind, context)
    users = _recipients(users)
    if not users:
        return []
    stored = dict(
        NotificationPreference.objects.filter(user__in=[u.pk for u in users], kind=kind.code).values_list(
            "user_id", "channel"
        )
    )
    content_type = ContentType.objects.get_for_model(obj) if obj is not None else None
    object_id = obj.pk if obj is not None else None
    now = timezone.now()
    rows = []
    for user in users:
        channel = channel_for(kind, stored.get(user.pk))
        if channel == Channel.OFF:
            continue
        row = Notification(
            user=user,
            kind=kind.code,
            params=params,
            content_type=content_type,
            object_id=object_id,
            channel=channel,
            once_key=once_key,
            created_at=now,
        )
        if channel in (Channel.EMAIL, Channel.DIGEST) and not user.email:
            row.emailed_at = now  # nothing to send: settled
        rows.append(row)
    if once_key:
        created = [row for row in rows if _insert_once(row)]
    else:
        created = Notification.objects.bulk_create(rows)
    now_rows = [row for row in created if row.channel == Channel.EMAIL and row.emailed_at is None]
    if now_rows:
        ids = [row.pk for row in now_rows]
        addresses = [row.user.email for row in now_rows]
        path = kind.url(object_id)
        transaction.on_commit(lambda: _send_now(kind, params, path, ids, addresses))
    return created


def _send_now(kind, params, path, ids, addresses):
    """After the commit: one message to everyone who wants this notification at once."""
    context = {"text": kind.render(params), "label": kind.label, "path": path}
    try:
        send_email("core/email/notification", context, addresses)
    except Exception as exc:  # noqa: BLE001 - the rows stay unsent; the next digest run retries them
        logger.warning("notifications: immediate e-mail of %s failed (%s)", kind.code, type(exc).__name__)
        return
    Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).update(emailed_at=timezone.now())


# --- Reading ------------------------------------------------------------------------------------


def get_notification_for_user(user, pk):
    """The user's own notification `pk`; 404 for anyone else's (never confirm that it exists)."""
    notification = Notification.objects.filter(pk=pk, user=user).first() if user.is_authenticated else None
    if notification is None:
        raise Http404
    return notification


def unread_badge(user):
    """The bell's figure: "" for none, the count, or "99+" (one bounded query)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    count = Notification.objects.filter(user=user, read_at__isnull=True)[: BADGE_CAP + 1].count()
    if not count:
        return ""
    return f"{BADGE_CAP}+" if count > BADGE_CAP else str(count)


def notification_mark_read(*, notification):
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user):
    """Mark every unread notification of `user` read; returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


# --- Preferences --------------------------------------------------------------------------------


def notification_preferences(user):
    """[(kind, channel in force)] for every registered kind, in registry order."""
    stored = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))
    return [(kind, channel_for(kind, stored.get(code))) for code, kind in KINDS.items()]


@transaction.atomic
def notification_preferences_set(*, user, channels):
    """Save `channels` ({kind code: channel}); a channel the kind does not allow is refused.

    Only choices that differ from the kind's default are stored, so a changed default reaches
    everyone who never chose otherwise."""
    errors = {}
    for code, channel in channels.items():
        kind = KINDS.get(code)
        if kind is None or channel not in kind.channels():
            errors[code] = _("该通知类型不能选择此接收方式。")
    if errors:
        raise ValidationError(errors)
    for code, channel in channels.items():
        if channel == KINDS[code].default:
            NotificationPreference.objects.filter(user=user, kind=code).delete()
        else:
            NotificationPreference.objects.update_or_create(user=user, kind=code, defaults={"channel": channel})


# --- The daily digest ---------------------------------------------------------------------------


def _unsent(now):
    """Rows whose e-mail is still owed: digest rows, and immediate ones that failed a while ago."""
    return Notification.objects.filter(emailed_at__isnull=True).filter(
        Q(channel=Channel.DIGEST) | Q(channel=Channel.EMAIL, created_at__lt=now - RETRY_AFTER)
    )


def notification_digest_send(*, user_id, now=None):
    """Send one user's digest (their owed rows, locked); True if an e-mail went out. Idempotent:
    a row is marked e-mailed in the same transaction, so no run sends it again."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            _unsent(now)
            .filter(user_id=user_id)
            .select_related("user")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("id")
        )
        if not rows:
            return False
        email = rows[0].user.email
        sent = False
        if email:
            items = [
                {"text": row.text, "label": row.label, "path": reverse("notifications:open", args=[row.pk])}
                for row in rows
            ]
            sent = bool(send_email("core/email/digest", {"items": items, "count": len(items)}, [email]))
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(emailed_at=now)
        return sent


def notifications_digest_send(*, now=None):
    """The daily job: one digest per user with owed e-mails. Returns the number of e-mails sent."""
    now = now or timezone.now()
    user_ids = list(_unsent(now).order_by().values_list("user_id", flat=True).distinct())
    sent = 0
    for user_id in sorted(user_ids):
        try:
            sent += notification_digest_send(user_id=user_id, now=now)
        except Exception as exc:  # noqa: BLE001 - this user's rows stay owed; the others still go
            logger.warning("notifications: digest for user %s failed (%s)", user_id, type(exc).__name__)
    return sent

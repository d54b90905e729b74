"""In-app notifications and each user's choice of channel per kind.

A Notification holds no text: its kind and a few reference values (`params`) are rendered when it
is shown (see `kinds`). It points at the object it is about by content type and id; the link is
built from the kind's URL name and that id, and the object's own gate decides what the reader sees.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .kinds import KINDS, Channel


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def digest_due(self):
        """Waiting for the daily digest: collected, not e-mailed yet."""
        return self.filter(channel=Channel.DIGEST, emailed_at__isnull=True)


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类型"), max_length=40)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("对象类型"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("对象编号"), null=True, blank=True)
    channel = models.CharField(_("送达方式"), max_length=10, choices=Channel.choices, default=Channel.IN_APP)
    once_key = models.CharField(_("去重键"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-id"]
        indexes = [
            # The list page (newest first, keyset on id) and the bell (unread only).
            models.Index(fields=["user", "-id"], name="notification_user_idx"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread_idx"),
            models.Index(
                fields=["user"],
                condition=Q(channel="digest", emailed_at__isnull=True),
                name="notification_digest_idx",
            ),
            models.Index(fields=["created_at"], name="notification_created_idx"),
        ]
        constraints = [
            # A periodic job that names a key notifies each user once per object and key.
            models.UniqueConstraint(
                fields=["user", "kind", "content_type", "object_id", "once_key"],
                condition=~Q(once_key=""),
                nulls_distinct=False,
                name="notification_once",
            ),
        ]

    def __str__(self):
        return f"{self.kind}#{self.pk}"

    @property
    def kind_info(self):
        return KINDS.get(self.kind)

    @property
    def label(self):
        kind = self.kind_info
        return kind.label if kind else self.kind

    @property
    def text(self):
        kind = self.kind_info
        return kind.render(self.params) if kind else self.kind

    @property
    def target_url(self):
        kind = self.kind_info
        return kind.url(self.object_id) if kind else ""

    @property
    def is_read(self):
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A user's channel for one kind; without a row the kind's default applies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("类型"), max_length=40)
    channel = models.CharField(_("接收方式"), max_length=10, choices=Channel.choices)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self):
        return f"{self.user_id}:{self.kind}={self.channel}"

"""Self-service links: one row per link issued to a person (the token signs its id and nonce)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LinkChannel(models.TextChoices):
    SCREEN = "screen", _("页面显示")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
    PRINT = "print", _("打印二维码")


class SelfServiceLink(models.Model):
    """One issued self-service link. The token signs (contact id, nonce); revoking sets revoked_at."""

    contact = models.ForeignKey(
        "clients.Contact", verbose_name=_("联系人"), on_delete=models.CASCADE, related_name="selfservice_links"
    )
    nonce = models.CharField(_("随机数"), max_length=32, unique=True, editable=False)
    issued_at = models.DateTimeField(_("签发时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("过期时间"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    channel = models.CharField(_("发送方式"), max_length=20, choices=LinkChannel.choices)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    Via = LinkChannel

    class Meta:
        verbose_name = _("自助链接")
        verbose_name_plural = _("自助链接")
        indexes = [models.Index(fields=["contact", "issued_at"], name="selfservice_contact_idx")]

    def __str__(self):
        return f"{self.contact_id} {self.issued_at:%Y-%m-%d}"

    def is_active(self, now=None):
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now

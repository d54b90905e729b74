"""Tamper evidence: audit entries sealed into hash chains, and the redactions made since.

Each chain ("log" for django-auditlog's LogEntry, "access" for AccessEvent, "redaction" for the
Redaction rows below) is cut into seals in id order. A seal keeps the (id, digest) pair of every
entry it covers, packed in `entries`, and a chain digest folded over them starting from the
previous seal's digest: change, delete or insert one row and `verify_audit_trail` names it.
Written only by `audit.sealing`; read-only everywhere else.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Chain(models.TextChoices):
    LOG = "log", _("变更记录")
    ACCESS = "access", _("访问记录")
    REDACTION = "redaction", _("脱敏记录")


class AuditSeal(models.Model):
    chain = models.CharField(_("链"), max_length=20, choices=Chain.choices)
    from_id = models.BigIntegerField(_("起始编号"))
    to_id = models.BigIntegerField(_("截止编号"))
    count = models.PositiveIntegerField(_("条目数"))
    algorithm = models.CharField(_("摘要算法"), max_length=10)
    prev_digest = models.CharField(_("前一封存摘要"), max_length=64)
    digest = models.CharField(_("封存摘要"), max_length=64)
    entries = models.BinaryField(_("条目摘要"))
    last_entry_at = models.DateTimeField(_("最后条目时间"))
    sealed_at = models.DateTimeField(_("封存时间"), default=timezone.now)
    pruned_at = models.DateTimeField(_("条目清理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("审计封存")
        verbose_name_plural = _("审计封存")
        ordering = ["chain", "from_id"]
        permissions = [("view_trail", _("查看审计日志、访问记录与登录记录"))]
        constraints = [
            models.UniqueConstraint(fields=["chain", "from_id"], name="audit_seal_chain_from_unique"),
            models.UniqueConstraint(fields=["chain", "prev_digest"], name="audit_seal_chain_prev_unique"),
            models.CheckConstraint(condition=models.Q(to_id__gte=models.F("from_id")), name="audit_seal_range"),
        ]

    def __str__(self):
        return f"{self.get_chain_display()} #{self.from_id}–#{self.to_id}"


class Redaction(models.Model):
    """An audit entry redacted for an erasure: the entry is kept, marked, and stays verifiable.

    `original_digest` is the entry's digest just before redaction, `redacted_digest` just after.
    `verify_audit_trail` accepts a sealed entry whose digest changed only along such records, and
    the records are themselves sealed (chain "redaction"), so one cannot be forged afterwards
    without breaking that chain.
    """

    chain = models.CharField(_("链"), max_length=20, choices=Chain.choices)
    entry_id = models.BigIntegerField(_("条目编号"))
    algorithm = models.CharField(_("摘要算法"), max_length=10)
    original_digest = models.CharField(_("原摘要"), max_length=64)
    redacted_digest = models.CharField(_("脱敏后摘要"), max_length=64)
    reason = models.CharField(_("原因"), max_length=60)
    reference = models.CharField(_("依据编号"), max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("审计条目脱敏记录")
        verbose_name_plural = _("审计条目脱敏记录")
        indexes = [models.Index(fields=["chain", "entry_id"], name="audit_redaction_entry_idx")]

    def __str__(self):
        return f"{self.get_chain_display()} #{self.entry_id}"

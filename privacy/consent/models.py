"""Purposes, privacy-policy versions, the consent ledger and what hangs off it.

The ledger (`ConsentEvent`, with `SeparateConsent` details) is append-only: rows are inserted by
`privacy.consent.services` and never changed. Python refuses updates and deletes (model and queryset);
on PostgreSQL a trigger refuses them too, unless the transaction has run
``SET LOCAL zhaoshang.purge = 'on'`` — the privileged path that the retention purge uses to remove
the history of an erased person (`privacy.consent.services.ledger_purge_allowed`).

`ConsentState` is the current state per (contact, purpose), a materialised table written only by
`privacy.consent.services._append_event` in the same transaction as the event it derives from.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class LedgerError(Exception):
    """Raised on any attempt to change or delete a consent ledger row."""


class LegalBasis(models.TextChoices):
    # PIPL Art. 13
    CONSENT = "consent", _("取得个人同意")
    CONTRACT = "contract", _("订立、履行合同所必需")
    HR = "hr", _("人力资源管理所必需")
    LEGAL_DUTY = "legal_duty", _("履行法定职责或者法定义务所必需")
    EMERGENCY = "emergency", _("应对突发公共卫生事件或紧急情况所必需")
    PUBLIC_INTEREST = "public_interest", _("为公共利益实施新闻报道、舆论监督")
    PUBLIC_INFO = "public_info", _("处理已合法公开的个人信息")
    OTHER_LAW = "other_law", _("法律、行政法规规定的其他情形")


class DataCategory(models.TextChoices):
    IDENTITY = "identity", _("姓名、职务及所在企业")
    CONTACT = "contact", _("联系方式（手机号、电子邮箱、微信号）")
    ID_NUMBER = "id_number", _("身份证件号码")
    FOLLOWUP = "followup", _("沟通与跟进记录")
    PROJECT = "project", _("投资项目洽谈信息")


class Purpose(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=150, blank=True)
    description = models.TextField(_("说明"), blank=True)
    description_en = models.TextField(_("英文说明"), blank=True)
    legal_basis = models.CharField(_("处理依据"), max_length=20, choices=LegalBasis.choices)
    requires_separate_consent = models.BooleanField(
        _("需要单独同意"), default=False, help_text=_("向他人提供、处理敏感个人信息、向境外提供时须取得单独同意。")
    )
    recipient = models.CharField(_("接收方"), max_length=200, blank=True, help_text=_("单独同意须载明接收方。"))
    provides_to_others = models.BooleanField(
        _("向他人提供"),
        default=False,
        help_text=_("向其他个人信息处理者提供：每个接收方单独取得同意，并告知其名称、联系方式（第二十三条）。"),
    )
    cross_border = models.BooleanField(_("向境外提供"), default=False, help_text=_("接收方位于境外（第三十九条）。"))
    recipient_en = models.CharField(_("接收方（英文）"), max_length=200, blank=True)
    processing_method = models.CharField(_("处理方式"), max_length=200, blank=True)
    processing_method_en = models.CharField(_("处理方式（英文）"), max_length=200, blank=True)
    categories = models.JSONField(_("涉及的个人信息种类"), default=list, blank=True)
    retention_note = models.CharField(_("保存期限说明"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("处理用途")
        verbose_name_plural = _("处理用途")
        ordering = ["order", "code"]

    def __str__(self):
        return self.display_name

    @property
    def needs_consent(self):
        return self.legal_basis == LegalBasis.CONSENT or self.requires_separate_consent

    def _pick(self, zh, en):
        return en if (get_language() or "").startswith("en") and en else zh

    @property
    def display_name(self):
        return self._pick(self.name, self.name_en)

    @property
    def display_description(self):
        return self._pick(self.description, self.description_en)

    @property
    def display_recipient(self):
        return self._pick(self.recipient, self.recipient_en)

    @property
    def display_method(self):
        return self._pick(self.processing_method, self.processing_method_en)

    def category_labels(self):
        labels = dict(DataCategory.choices)
        return [labels.get(code, code) for code in self.categories]


class PrivacyPolicyQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def current(self):
        """The newest published version already in effect (or None)."""
        today = timezone.localdate()
        return self.published().filter(effective_date__lte=today).order_by("-effective_date", "-published_at").first()


class PrivacyPolicy(models.Model):
    version = models.CharField(_("版本号"), max_length=20, unique=True)
    title = models.CharField(_("标题"), max_length=200, default="个人信息保护政策")
    title_en = models.CharField(_("英文标题"), max_length=200, default="Privacy Policy")
    body_zh = models.TextField(_("中文正文"))
    body_en = models.TextField(_("英文正文"), blank=True)
    summary_of_changes = models.TextField(_("变更说明"), blank=True)
    effective_date = models.DateField(_("生效日期"))
    material_change = models.BooleanField(
        _("重大变更"),
        default=False,
        help_text=_("处理目的、处理方式或个人信息种类发生变更：发布后须重新取得同意。"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = PrivacyPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("个人信息保护政策版本")
        verbose_name_plural = _("个人信息保护政策版本")
        ordering = ["-effective_date", "-pk"]

    def __str__(self):
        return f"{self.title} v{self.version}"

    @property
    def is_published(self):
        return self.published_at is not None

    @property
    def display_title(self):
        return self.title_en if (get_language() or "").startswith("en") and self.title_en else self.title

    @property
    def display_body(self):
        """The text in the current language; ``{zone}`` and ``{officer}`` come from settings."""
        body = self.body_en if (get_language() or "").startswith("en") and self.body_en else self.body_zh
        return body.replace("{zone}", settings.ZONE_NAME).replace("{officer}", settings.PRIVACY_OFFICER_CONTACT)


class Channel(models.TextChoices):
    SELFSERVICE = "selfservice", _("自助页面")
    PAPER = "paper", _("纸质")
    PHONE = "phone", _("电话")
    EMAIL = "email", _("邮件")
    ONSITE = "onsite", _("现场")
    SYSTEM = "system", _("系统")


OFFLINE_CHANNELS = [Channel.PAPER, Channel.PHONE, Channel.EMAIL, Channel.ONSITE]


class ConsentAction(models.TextChoices):
    GRANTED = "granted", _("同意")
    WITHDRAWN = "withdrawn", _("撤回")
    EXPIRED = "expired", _("失效")


class AppendOnlyQuerySet(models.QuerySet):
    """Ledger rows cannot be changed or removed through the ORM."""

    def update(self, **kwargs):
        raise LedgerError("同意记录只能追加，不能修改。 (The consent ledger is append-only.)")

    def delete(self):
        raise LedgerError("同意记录只能追加，不能删除。 (The consent ledger is append-only.)")

    def bulk_update(self, objs, fields, batch_size=None):
        raise LedgerError("同意记录只能追加，不能修改。 (The consent ledger is append-only.)")

    update.alters_data = True
    delete.alters_data = True


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerError("同意记录只能追加，不能修改。 (The consent ledger is append-only.)")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerError("同意记录只能追加，不能删除。 (The consent ledger is append-only.)")


def _evidence_path(instance, filename):
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"privacy/evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext[:5]}"


class ConsentEvent(AppendOnlyModel):
    contact = models.ForeignKey(
        "clients.Contact", verbose_name=_("联系人"), on_delete=models.CASCADE, related_name="consent_events"
    )
    purpose = models.ForeignKey(Purpose, verbose_name=_("用途"), on_delete=models.PROTECT, related_name="+")
    policy = models.ForeignKey(
        PrivacyPolicy, verbose_name=_("政策版本"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # For a purpose that provides to others, the partner this consent names (one consent per recipient).
    recipient = models.ForeignKey(
        "privacy.Partner",
        verbose_name=_("接收方"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("动作"), max_length=20, choices=ConsentAction.choices)
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    evidence = models.FileField(_("凭证文件"), upload_to=_evidence_path, blank=True)
    evidence_type = models.CharField(_("凭证类型"), max_length=50, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("为空表示本人通过自助页面操作。"),
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    ip_hash = models.CharField(_("IP摘要"), max_length=64, blank=True)
    user_agent = models.CharField(_("浏览器标识"), max_length=300, blank=True)

    Action = ConsentAction

    class Meta:
        verbose_name = _("同意记录")
        verbose_name_plural = _("同意记录")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["contact", "at"], name="consent_event_contact_at_idx")]
        permissions = [
            ("export_consentstate", _("可导出同意状态")),
            ("export_outreach", _("可导出政策推送名单")),
        ]

    def __str__(self):
        return f"{self.contact_id} {self.purpose_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class SeparateConsent(AppendOnlyModel):
    """The details a separate consent (单独同意, PIPL Art. 23/29/39) must name, shown at the time."""

    event = models.OneToOneField(
        ConsentEvent, verbose_name=_("同意记录"), on_delete=models.CASCADE, related_name="separate"
    )
    recipient = models.CharField(_("接收方"), max_length=200)
    purpose_text = models.CharField(_("处理目的"), max_length=300)
    method = models.CharField(_("处理方式"), max_length=200)
    categories = models.JSONField(_("个人信息种类"), default=list)

    class Meta:
        verbose_name = _("单独同意内容")
        verbose_name_plural = _("单独同意内容")

    def __str__(self):
        return f"{self.event_id}: {self.recipient}"


class ConsentStateQuerySet(models.QuerySet):
    def valid(self, now=None):
        """Granted and not past a renewal deadline."""
        now = now or timezone.now()
        return self.filter(granted=True).filter(
            models.Q(renewal_due_at__isnull=True) | models.Q(renewal_due_at__gt=now)
        )

    def needing_renewal(self):
        return self.filter(granted=True, needs_renewal=True)


class ConsentState(models.Model):
    """Current consent per (contact, purpose, recipient). Derived from the ledger; written only by
    privacy.consent.services. `recipient` is empty except for purposes that provide to others, whose
    consent is given to each recipient partner separately."""

    contact = models.ForeignKey(
        "clients.Contact", verbose_name=_("联系人"), on_delete=models.CASCADE, related_name="consent_states"
    )
    purpose = models.ForeignKey(Purpose, verbose_name=_("用途"), on_delete=models.PROTECT, related_name="states")
    recipient = models.ForeignKey(
        "privacy.Partner", verbose_name=_("接收方"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    granted = models.BooleanField(_("已同意"), default=False)
    separate = models.BooleanField(_("已单独同意"), default=False)
    policy = models.ForeignKey(
        PrivacyPolicy, verbose_name=_("政策版本"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_event = models.ForeignKey(ConsentEvent, verbose_name=_("最近记录"), on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(_("变更时间"))
    needs_renewal = models.BooleanField(_("需重新取得同意"), default=False)
    renewal_due_at = models.DateTimeField(_("重新同意截止"), null=True, blank=True)

    objects = ConsentStateQuerySet.as_manager()

    class Meta:
        verbose_name = _("同意状态")
        verbose_name_plural = _("同意状态")
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "purpose", "recipient"], name="consent_state_unique", nulls_distinct=False
            )
        ]
        indexes = [
            models.Index(fields=["purpose", "granted"], name="consent_state_purpose_idx"),
            models.Index(
                fields=["recipient", "purpose", "contact"],
                name="consent_state_recipient_idx",
                condition=models.Q(recipient__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.contact_id}/{self.purpose_id}: {'granted' if self.granted else 'not granted'}"

    def is_valid(self, now=None):
        now = now or timezone.now()
        return self.granted and (self.renewal_due_at is None or self.renewal_due_at > now)


class ConsentCoverage(models.Model):
    """How many contacts there are (`purpose` empty) and how many consent states each purpose has
    without a recipient: the scorecard's consent coverage sums these few rows instead of counting
    every contact and state. Written only by PostgreSQL triggers, in the same transaction as the
    write they count (privacy/consent/tallies.py): each writing statement adds a row of its own
    change, so no writer ever waits for another's counter, and `compact` folds them back into one
    row per purpose."""

    # No database constraint: a derived count must never stand in the way of a write it follows.
    purpose = models.ForeignKey(
        Purpose,
        verbose_name=_("用途"),
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    n = models.BigIntegerField(_("数量"), default=0)

    class Meta:
        verbose_name = _("同意覆盖计数")
        verbose_name_plural = _("同意覆盖计数")

    def __str__(self):
        return f"{self.purpose_id or '*'}: {self.n}"

"""Enterprises (投资企业): company data, not personal, stored in clear."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from ..validators import validate_credit_code
from .choices import Currency, Industry, Source


class EnterpriseQuerySet(models.QuerySet):
    def visible_to(self, user):
        from ..scopes import enterprise_scope_q

        return self.filter(enterprise_scope_q(user))

    def name_contains(self, text):
        """Names containing `text` (case-insensitive), through the trigram index on PostgreSQL.

        The name filter is an id subquery served by the index, so the planner finds the (few)
        matching rows first and only then applies whatever scope the queryset carries, instead of
        walking the enterprises in scope and testing each name.
        """
        from django.db.models import F

        from ..lookups import TrigramIContains

        matching = Enterprise.objects.filter(TrigramIContains(F("name"), text)).values("pk")
        return self.filter(pk__in=matching)


# 核实: a department head checks the enterprise by hand (the 公示系统 has no API the zone may use).
class Verification(models.TextChoices):
    PENDING = "pending", _("待核实")
    VERIFIED = "verified", _("已核实")
    REJECTED = "rejected", _("核实不符")


class VerificationMethod(models.TextChoices):
    GSXT = "gsxt", _("国家企业信用信息公示系统人工查询")
    LICENSE = "license", _("核对营业执照原件")
    SITE_VISIT = "site_visit", _("实地核查")
    OTHER = "other", _("其他")


class Enterprise(models.Model):
    name = models.CharField(_("企业名称"), max_length=200)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, null=True, blank=True, validators=[validate_credit_code]
    )
    industry = models.CharField(_("所属行业"), max_length=1, choices=Industry.choices, blank=True)
    region = models.CharField(_("所在地区"), max_length=100, blank=True)
    registered_capital = models.DecimalField(
        _("注册资本（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    capital_currency = models.CharField(_("币种"), max_length=5, choices=Currency.choices, default=Currency.CNY)
    source = models.CharField(_("信息来源"), max_length=20, choices=Source.choices, default=Source.CLIENT)
    verification_status = models.CharField(
        _("核实状态"), max_length=20, choices=Verification.choices, default=Verification.PENDING, db_index=True
    )
    verification_method = models.CharField(_("核实方式"), max_length=20, choices=VerificationMethod.choices, blank=True)
    verification_note = models.CharField(_("核实说明"), max_length=300, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核实人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_enterprises",
    )
    department = models.ForeignKey(
        "clients.Department",
        verbose_name=_("所属部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报备人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("报备时间"), default=timezone.now)
    legal_hold = models.BooleanField(_("法律保全"), default=False)
    import_batch = models.ForeignKey(
        "clients.ImportBatch", verbose_name=_("导入批次"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    Verification = Verification
    VerificationMethod = VerificationMethod

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=models.Q(credit_code__isnull=False) & ~models.Q(credit_code=""),
                name="enterprise_credit_code_unique",
            )
        ]
        indexes = [
            models.Index(fields=["owner", "-id"], name="enterprise_owner_idx"),
            models.Index(fields=["department", "-id"], name="enterprise_dept_idx"),
            models.Index(fields=["id"], condition=models.Q(legal_hold=True), name="enterprise_held_idx"),
        ]
        permissions = [
            ("export_enterprise", _("可导出企业、联系人和项目")),
            ("export_clear_values", _("可导出未脱敏的个人信息")),
            ("import_enterprise", _("可从 Excel 导入")),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("clients:enterprise_detail", args=[self.pk])


class GrantKind(models.TextChoices):
    COLLABORATOR = "collab", _("协办")
    TEMPORARY = "temporary", _("临时授权")
    ASSIGNMENT = "assignment", _("分派随附")


class UserGrantBase(UserObjectPermissionBase):
    """A guardian per-user grant with what made it (协办, temporary, assignment) and its expiry.

    Each case model has its own concrete table (guardian's direct foreign keys); they share these.
    """

    kind = models.CharField(_("授权类型"), max_length=20, choices=GrantKind.choices, default=GrantKind.COLLABORATOR)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = True


class EnterpriseUserObjectPermission(UserGrantBase):
    """django-guardian direct foreign-key grant: a user may view (or change) one enterprise."""

    content_object = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="user_grants")

    class Meta(UserGrantBase.Meta):
        verbose_name = _("企业授权（用户）")
        verbose_name_plural = _("企业授权（用户）")


class EnterpriseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="group_grants")

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("企业授权（用户组）")
        verbose_name_plural = _("企业授权（用户组）")

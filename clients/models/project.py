"""Investment projects (招商项目) through the pipeline, their stage history, milestones and assignments."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase

from .choices import Currency, Industry
from .enterprise import UserGrantBase


class Stage(models.TextChoices):
    LEAD = "lead", _("线索")
    CONTACTED = "contacted", _("接洽")
    VISIT = "visit", _("考察")
    NEGOTIATION = "negotiation", _("洽谈")
    SIGNED = "signed", _("签约")
    LANDED = "landed", _("注册落地")
    TERMINATED = "terminated", _("终止")


# The pipeline in order (终止 is off the line).
PIPELINE = [Stage.LEAD, Stage.CONTACTED, Stage.VISIT, Stage.NEGOTIATION, Stage.SIGNED, Stage.LANDED]


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        from ..scopes import project_scope_q

        return self.filter(project_scope_q(user))

    def in_pool(self):
        return self.filter(owner__isnull=True).exclude(stage=Stage.TERMINATED)

    def active(self):
        return self.exclude(stage__in=[Stage.TERMINATED, Stage.LANDED])


class Project(models.Model):
    enterprise = models.ForeignKey(
        "clients.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="projects"
    )
    title = models.CharField(_("项目名称"), max_length=200)
    industry = models.CharField(_("所属行业"), max_length=1, choices=Industry.choices, blank=True)
    planned_investment = models.DecimalField(
        _("计划投资额（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("币种"), max_length=5, choices=Currency.choices, default=Currency.CNY)
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices, default=Stage.LEAD)
    stage_changed_at = models.DateTimeField(_("进入本阶段时间"), default=timezone.now)
    termination_reason = models.CharField(_("终止原因"), max_length=300, blank=True)
    loss_reason = models.ForeignKey(
        "clients.LossReason",
        verbose_name=_("终止原因分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    lost_at_stage = models.CharField(_("终止时所处阶段"), max_length=20, choices=Stage.choices, blank=True)
    land_need_mu = models.DecimalField(_("用地需求（亩）"), max_digits=10, decimal_places=2, null=True, blank=True)
    space_need_sqm = models.DecimalField(
        _("载体需求（平方米）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    needs_note = models.CharField(_("其他需求"), max_length=500, blank=True)
    signed_at = models.DateField(_("签约日期"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_projects",
    )
    department = models.ForeignKey(
        "clients.Department",
        verbose_name=_("所属部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    last_activity_at = models.DateTimeField(_("最近跟进时间"), default=timezone.now)
    released_at = models.DateTimeField(_("进入公海时间"), null=True, blank=True)
    legal_hold = models.BooleanField(_("法律保全"), default=False)
    import_batch = models.ForeignKey(
        "clients.ImportBatch", verbose_name=_("导入批次"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    Stage = Stage

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("招商项目")
        verbose_name_plural = _("招商项目")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["owner", "-id"], name="project_owner_idx"),
            models.Index(fields=["department", "-id"], name="project_dept_idx"),
            models.Index(fields=["stage", "-id"], name="project_stage_idx"),
            models.Index(fields=["last_activity_at"], name="project_activity_idx"),
            models.Index(fields=["id"], condition=models.Q(legal_hold=True), name="project_held_idx"),
            # [L] the cockpit's one pass (stage, owner, department, signing month): an index-only scan
            models.Index(
                fields=["stage", "owner", "department", "signed_at"],
                include=["planned_investment"],
                name="project_cockpit_idx",
            ),
        ]
        permissions = [("assign_project", _("可分派项目和企业"))]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("clients:project_detail", args=[self.pk])

    @property
    def days_in_stage(self):
        return (timezone.now() - self.stage_changed_at).days

    @property
    def in_pool(self):
        return self.owner_id is None and self.stage != Stage.TERMINATED


class ProjectUserObjectPermission(UserGrantBase):
    """django-guardian direct foreign-key grant on one project (协办 read/write, temporary access)."""

    content_object = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="user_grants")

    class Meta(UserGrantBase.Meta):
        verbose_name = _("项目授权（用户）")
        verbose_name_plural = _("项目授权（用户）")


class ProjectGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="group_grants")

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("项目授权（用户组）")
        verbose_name_plural = _("项目授权（用户组）")


class StageChange(models.Model):
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("原阶段"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=20, choices=Stage.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    loss_reason = models.ForeignKey(
        "clients.LossReason",
        verbose_name=_("终止原因分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")
        ordering = ["project", "at", "id"]
        indexes = [models.Index(fields=["to_stage", "at"], name="stagechange_to_at_idx")]

    def __str__(self):
        return f"{self.get_from_stage_display()} → {self.get_to_stage_display()}"


class Milestone(models.Model):
    class Kind(models.TextChoices):
        GROUNDBREAKING = "groundbreaking", _("开工")
        FUNDING = "funding", _("到资")
        PRODUCTION = "production", _("投产")

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(_("节点"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("日期"))
    amount = models.DecimalField(_("到位资金（万元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        ordering = ["project", "date", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date}"


class Assignment(models.Model):
    """History of 分派: who moved which project or enterprise from whom to whom."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), null=True, blank=True, on_delete=models.CASCADE, related_name="assignments"
    )
    enterprise = models.ForeignKey(
        "clients.Enterprise",
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("原负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("新负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Kind(models.TextChoices):
        ASSIGN = "assign", _("分派")
        CLAIM = "claim", _("认领")
        RELEASE = "release", _("释放到公海")
        AUTO_RELEASE = "auto_release", _("超期自动释放")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.ASSIGN)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("分派记录")
        verbose_name_plural = _("分派记录")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(project__isnull=False) | models.Q(enterprise__isnull=False),
                name="assignment_has_target",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"

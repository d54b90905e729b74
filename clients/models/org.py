"""The organisation: the department tree, staff profiles and roles with their data scopes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.localized import localized


class DataScope(models.TextChoices):
    """How far a role's view of case records reaches. Ordered from narrowest to widest."""

    SELF = "self", _("本人")
    SELF_AND_SUBORDINATES = "self_sub", _("本人及下属")
    DEPARTMENT = "dept", _("本部门")
    DEPARTMENT_TREE = "dept_tree", _("本部门及下属部门")
    ALL = "all", _("全部")

    @classmethod
    def widest(cls, scopes):
        order = [c.value for c in cls]
        present = [s for s in scopes if s in order]
        return max(present, key=order.index) if present else None


class Department(models.Model):
    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("管委会")
        BUREAU = "bureau", _("局/部门")
        TEAM = "team", _("招商组")
        OFFICE = "office", _("驻外招商局")

    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=150, blank=True)
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["code"]

    def __str__(self):
        return localized(self)

    def descendant_ids(self):
        """Ids of this department and every department below it."""
        return Department.tree_ids(self.pk)

    @staticmethod
    def tree_ids(root_id):
        """Ids of the department `root_id` and everything below it, from one query over the
        (small) department table."""
        children = {}
        for pk, parent_id in Department.objects.values_list("pk", "parent_id").order_by():
            children.setdefault(parent_id, []).append(pk)
        ids, frontier = {root_id}, [root_id]
        while frontier:
            frontier = [c for pk in frontier for c in children.get(pk, ()) if c not in ids]
            ids.update(frontier)
        return ids


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="profile"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("直接上级"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subordinate_profiles",
    )
    title = models.CharField(_("职务"), max_length=60, blank=True)
    phone_ext = models.CharField(_("办公电话"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("员工档案")
        verbose_name_plural = _("员工档案")

    def __str__(self):
        return str(self.user)


class Role(models.Model):
    """A role is a Django group plus the data scope it grants. Created by a data migration."""

    class Code(models.TextChoices):
        OFFICER = "officer", _("招商专员")
        DEPARTMENT_HEAD = "dept_head", _("部门负责人")
        PRIVACY_OFFICER = "privacy_officer", _("个人信息保护负责人")
        COMPLAINT_HANDLER = "complaint_handler", _("投诉处理专员")
        AUDITOR = "auditor", _("审计员")
        ADMIN = "admin", _("系统管理员")
        LEADERSHIP = "leadership", _("分管领导")

    code = models.CharField(_("代码"), max_length=30, choices=Code.choices, unique=True)
    group = models.OneToOneField("auth.Group", verbose_name=_("用户组"), on_delete=models.CASCADE, related_name="role")
    data_scope = models.CharField(_("数据范围"), max_length=20, choices=DataScope.choices)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        ordering = ["code"]

    def __str__(self):
        return self.get_code_display()

"""Excel import batches: the confirmed import runs in the background and reports progress here,
and a whole import can be undone."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportBatch(models.Model):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        CONTACT = "contact", _("联系人")
        PROJECT = "project", _("项目")

    class Status(models.TextChoices):
        # The broker could not be reached when the import was confirmed: saved, waiting for a retry.
        NOT_STARTED = "not_started", _("未开始")
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("导入类型"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT)
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("导入时间"), default=timezone.now)
    mode = models.CharField(_("导入模式"), max_length=10, default="create")
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    done_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    error_message = models.TextField(_("失败原因"), blank=True)
    row_errors = models.JSONField(_("行错误"), default=list, blank=True)
    # The encrypted spool file waiting for the task, and its transient key (moved here from the
    # importer's session on confirm, since the task has no session); both cleared when the task ends.
    spool_token = models.CharField(max_length=64, blank=True, editable=False)
    spool_key = models.CharField(max_length=200, blank=True, editable=False)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    previous_values = models.JSONField(_("更新前的数据（企业与联系人）"), default=dict, blank=True)
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def in_progress(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self):
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.done_rows * 100 // self.total_rows)

"""Follow-ups (跟进记录). The summary may name people, so it is encrypted under the follow-up's own key."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.crypto import EncryptedCharField, EncryptedTextField, PersonalDataModel, PersonalManager, PersonalQuerySet

from .choices import FollowUpMethod


class FollowUpQuerySet(PersonalQuerySet):
    def visible_to(self, user):
        """Follow-ups follow their project's scope."""
        from .project import Project

        return self.filter(project__in=Project.objects.visible_to(user).values("pk"))

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(next_contact_date__lt=today, superseded=False)


class FollowUp(PersonalDataModel):
    project = models.ForeignKey(
        "clients.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="followups"
    )
    date = models.DateField(_("跟进日期"))
    method = models.CharField(_("跟进方式"), max_length=20, choices=FollowUpMethod.choices)
    summary = EncryptedTextField(_("跟进内容"))
    participants = EncryptedCharField(_("参与人员"), max_length=300, blank=True)
    next_contact_date = models.DateField(_("下次联系日期"), null=True, blank=True)
    superseded = models.BooleanField(_("已有后续跟进"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = PersonalManager.from_queryset(FollowUpQuerySet)()

    class Meta:
        verbose_name = _("跟进记录")
        verbose_name_plural = _("跟进记录")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["next_contact_date"], name="followup_next_contact_idx"),
            # "last follow-up of a project" (retention clock, idle-project release): one index entry.
            models.Index(fields=["project", "-date"], name="followup_project_date_idx"),
        ]

    def __str__(self):
        return f"{self.get_method_display()} {self.date}"

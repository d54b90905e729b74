"""The copy package of a data-subject request (PIPL Art. 45): an encrypted zip, downloadable a few times.

One row per package built (`privacy.requests.package.package_build`). The file is a zip encrypted
for the contact (`privacy.files`, owner = the contact, purpose `SUBJECT_PACKAGE`): shredding the
person's key makes every package of theirs unreadable. The person downloads it from the
self-service page through a signed link (`package_views`) until `expires_at` or until
`max_downloads` is used up; the `export_files` retention category deletes the row and its file
30 days after it was built (`retention_packages`).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _package_path(instance, filename):
    return f"privacy/packages/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.zsf"


class SubjectPackage(models.Model):
    """A copy of everything the zone holds about one person, built for one access/portability request."""

    subject_request = models.ForeignKey(
        "privacy.SubjectRequest", verbose_name=_("权利请求"), on_delete=models.CASCADE, related_name="packages"
    )
    contact = models.ForeignKey(
        "clients.Contact", verbose_name=_("联系人"), on_delete=models.CASCADE, related_name="subject_packages"
    )
    file = models.FileField(_("副本文件"), upload_to=_package_path, max_length=200)
    size = models.PositiveIntegerField(_("文件大小（字节）"), default=0)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("下载截止时间"))
    download_count = models.PositiveIntegerField(_("下载次数"), default=0)
    max_downloads = models.PositiveSmallIntegerField(_("最多下载次数"), default=5)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("个人信息副本")
        verbose_name_plural = _("个人信息副本")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["contact", "created_at"], name="subject_package_contact_idx")]
        # "erase now" on the contact page (privacy.requests.erasure_views): the privacy officer's
        permissions = [("erase_contact", _("立即删除联系人的个人信息"))]

    def __str__(self):
        return f"#{self.pk} {self.created_at:%Y-%m-%d}"

    def is_open(self, now=None):
        """Whether the link still opens: not revoked, not expired, downloads left."""
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now and self.download_count < self.max_downloads

    @property
    def downloads_left(self):
        return max(self.max_downloads - self.download_count, 0)

    @property
    def download_path(self):
        """The signed self-service path of the download (privacy.requests.package)."""
        from .package import package_link_path

        return package_link_path(self)

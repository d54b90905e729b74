"""Contacts: the natural persons of an enterprise — the data subjects. Personal fields are encrypted."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from privacy.crypto import BlindIndexField, EncryptedCharField, PersonalDataModel, PersonalManager, PersonalQuerySet

from .choices import CollectionPurpose, Source


class ContactQuerySet(PersonalQuerySet):
    def visible_to(self, user):
        """Contacts follow their enterprise's scope."""
        from .enterprise import Enterprise

        return self.filter(enterprise__in=Enterprise.objects.visible_to(user).values("pk"))


class Contact(PersonalDataModel):
    enterprise = models.ForeignKey(
        "clients.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="contacts"
    )
    name = EncryptedCharField(_("姓名"), max_length=50)
    mobile = EncryptedCharField(_("手机号"), max_length=30, blank=True)
    email = EncryptedCharField(_("电子邮箱"), max_length=200, blank=True)
    wechat = EncryptedCharField(_("微信号"), max_length=60, blank=True)
    id_number = EncryptedCharField(_("身份证号"), max_length=18, blank=True)
    mobile_index = BlindIndexField(source="mobile", normalizer="mobile")
    email_index = BlindIndexField(source="email", normalizer="email")
    position = models.CharField(_("职务"), max_length=100, blank=True)
    source = models.CharField(_("信息来源"), max_length=20, choices=Source.choices, default=Source.CLIENT)
    purpose = models.CharField(
        _("收集用途"), max_length=40, choices=CollectionPurpose.choices, default=CollectionPurpose.LIAISON
    )
    verified = models.BooleanField(_("已核实"), default=False)
    legal_hold = models.BooleanField(_("法律保全"), default=False)
    import_batch = models.ForeignKey(
        "clients.ImportBatch", verbose_name=_("导入批次"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PersonalManager.from_queryset(ContactQuerySet)()

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        ordering = ["enterprise", "pk"]
        # The purge reads the (few) held rows once per run: a partial index keeps that cheap.
        indexes = [models.Index(fields=["id"], condition=models.Q(legal_hold=True), name="contact_held_idx")]
        permissions = [
            ("reveal_contact", _("可查看联系人明文（姓名、手机、邮箱、微信）")),
            ("reveal_sensitive_contact", _("可查看联系人敏感信息明文（身份证号）")),
        ]

    def __str__(self):
        return _("联系人 #%(pk)s") % {"pk": self.pk}

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("clients:contact_detail", args=[self.pk])

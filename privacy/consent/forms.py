"""Forms of the staff consent pages: recording a consent given or withdrawn offline."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import OFFLINE_CHANNELS, ConsentAction, LegalBasis, PrivacyPolicy, Purpose

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


class OfflineConsentForm(forms.Form):
    """Staff record a consent given or withdrawn on paper, by phone, by e-mail or in person."""

    purpose = forms.ModelChoiceField(label=_("用途"), queryset=Purpose.objects.none(), empty_label=_("请选择"))
    action = forms.ChoiceField(
        label=_("动作"), choices=[(ConsentAction.GRANTED, _("同意")), (ConsentAction.WITHDRAWN, _("撤回"))]
    )
    channel = forms.ChoiceField(label=_("渠道"), choices=[(c.value, c.label) for c in OFFLINE_CHANNELS])
    evidence = forms.FileField(
        label=_("凭证文件（PDF或图片，不超过10 MB）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )
    recipient = forms.ModelChoiceField(
        label=_("接收方"),
        queryset=None,
        required=False,
        empty_label=_("（不涉及）"),
        help_text=_("向他人提供的用途，须对每个接收方分别记录单独同意。"),
    )
    separate_confirmed = forms.BooleanField(
        label=_("书面同意已单独载明接收方、处理目的、处理方式和个人信息种类"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].queryset = Purpose.objects.filter(is_active=True).filter(
            Q(legal_basis=LegalBasis.CONSENT) | Q(requires_separate_consent=True)
        )
        from privacy.sharing.models import Partner

        self.fields["recipient"].queryset = Partner.objects.usable().select_related(None).only("pk", "name")

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if not upload:
            return None
        from complaints.forms import validate_attachment  # one content sniffer for uploads

        if upload.size > EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(_("凭证文件不能超过10 MB。"))
        self.evidence_type = validate_attachment(upload)
        return upload

    def clean(self):
        data = super().clean()
        purpose = data.get("purpose")
        if (
            purpose
            and purpose.requires_separate_consent
            and data.get("action") == ConsentAction.GRANTED
            and not data.get("separate_confirmed")
        ):
            self.add_error("separate_confirmed", _("单独同意须在书面材料中单独载明上述内容，请核对后勾选。"))
        if purpose and purpose.provides_to_others and not data.get("recipient"):
            self.add_error("recipient", _("“%(purpose)s”须指明接收方。") % {"purpose": purpose.name})
        offline_grant = data.get("channel") in ("paper", "email") and data.get("action") == ConsentAction.GRANTED
        if offline_grant and not data.get("evidence") and "evidence" not in self.errors:
            self.add_error("evidence", _("以纸质或邮件方式取得的同意须上传凭证文件。"))
        return data


class PolicyDraftForm(forms.ModelForm):
    """A policy version the privacy officer writes before publishing it (a published one is frozen)."""

    class Meta:
        model = PrivacyPolicy
        fields = [
            "version",
            "title",
            "title_en",
            "effective_date",
            "material_change",
            "summary_of_changes",
            "body_zh",
            "body_en",
        ]
        widgets = {
            "effective_date": forms.DateInput(attrs={"type": "date"}),
            "summary_of_changes": forms.Textarea(attrs={"rows": 3}),
            "body_zh": forms.Textarea(attrs={"rows": 12}),
            "body_en": forms.Textarea(attrs={"rows": 8}),
        }
        error_messages = {"version": {"unique": _("该版本号已存在。")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
            field.widget.attrs.setdefault("class", css)

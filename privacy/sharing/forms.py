"""Forms of the partner, agreement and share pages (rendered with django-bootstrap5)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Industry, Stage
from clients.validators import validate_credit_code
from complaints.forms import validate_attachment
from privacy.models import DataCategory, Purpose

from . import recipient_file
from .models import (
    TERMS,
    Agreement,
    AgreementKind,
    ContactChannel,
    CrossBorderMechanism,
    EvaluationResult,
    Partner,
    PartnerKind,
    VettingStatus,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PartnerForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"), choices=PartnerKind.choices)
    overseas = forms.BooleanField(label=_("位于境外"), required=False, help_text=_("境外总部自动视为位于境外。"))
    country = forms.CharField(label=_("国家或地区"), max_length=60, initial=_("中国"))
    credit_code = forms.CharField(
        label=_("统一社会信用代码"), max_length=18, required=False, validators=[validate_credit_code]
    )
    foreign_registration = forms.CharField(label=_("境外登记注册号"), max_length=60, required=False)
    contact_person = forms.CharField(label=_("联系人"), max_length=50)
    contact_phone = forms.RegexField(
        label=_("联系电话"),
        regex=r"^\+?[0-9][0-9 \-]{5,19}$",
        required=False,
        error_messages={"invalid": _("请输入有效的电话号码。")},
    )
    contact_email = forms.EmailField(
        label=_("联系邮箱"), required=False, error_messages={"invalid": _("请输入有效的邮箱地址。")}
    )
    contact_channel = forms.ChoiceField(label=_("首选联系渠道"), choices=ContactChannel.choices)
    security_measures = forms.CharField(
        label=_("安全保护措施"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：数据加密存储、访问控制、等级保护测评、人员保密协议。"),
    )
    evaluation_interval_days = forms.IntegerField(label=_("评估周期（天）"), min_value=30, max_value=1095, initial=365)
    next_evaluation_due = forms.DateField(label=_("下次评估日期"), required=False, widget=DATE)
    is_active = forms.BooleanField(label=_("合作中"), required=False, initial=True)

    def clean_credit_code(self):
        return (self.cleaned_data.get("credit_code") or "").strip().upper()

    def clean(self):
        data = super().clean()
        if data.get("kind") == PartnerKind.OVERSEAS_HQ:
            data["overseas"] = True
        if data.get("overseas"):
            if not (data.get("foreign_registration") or "").strip():
                self.add_error("foreign_registration", _("境外机构须填写境外登记注册号。"))
            if (data.get("country") or "").strip() in ("中国", "中国大陆", "China"):
                self.add_error("country", _("位于境外的机构请填写其所在国家或地区。"))
        elif not data.get("credit_code") and "credit_code" not in self.errors:
            self.add_error("credit_code", _("境内机构须填写统一社会信用代码。"))
        if not data.get("contact_phone") and not data.get("contact_email"):
            self.add_error("contact_phone", _("请至少填写一种联系方式（电话或邮箱）：单独同意须告知接收方的联系方式。"))
        return data

    @classmethod
    def initial_for(cls, partner):
        return {
            name: (str(getattr(partner, name) or "") if name.startswith("contact_") else getattr(partner, name))
            for name in cls.base_fields
        }


class VetForm(forms.Form):
    status = forms.ChoiceField(label=_("审查结论"), choices=VettingStatus.choices)


class EvaluationForm(forms.Form):
    evaluated_on = forms.DateField(label=_("评估日期"), widget=DATE, initial=timezone.localdate)
    score = forms.IntegerField(label=_("评分（0–100）"), min_value=0, max_value=100)
    result = forms.ChoiceField(label=_("结论"), choices=EvaluationResult.choices)
    notes = forms.CharField(label=_("评估说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    next_due = forms.DateField(
        label=_("下次评估日期"), required=False, widget=DATE, help_text=_("留空按评估周期计算。")
    )

    def clean_evaluated_on(self):
        day = self.cleaned_data["evaluated_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("评估日期不能晚于今天。"))
        return day


class AgreementForm(forms.Form):
    kind = forms.ChoiceField(label=_("协议类型"), choices=AgreementKind.choices)
    number = forms.CharField(label=_("协议编号"), max_length=60)
    title = forms.CharField(label=_("协议名称"), max_length=200)
    purposes = forms.ModelMultipleChoiceField(
        label=_("约定的处理用途"), queryset=Purpose.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    categories = forms.MultipleChoiceField(
        label=_("约定的个人信息种类"), choices=DataCategory.choices, widget=forms.CheckboxSelectMultiple
    )
    processing_method = forms.CharField(label=_("处理方式"), max_length=200)
    valid_from = forms.DateField(label=_("生效日期"), widget=DATE)
    valid_until = forms.DateField(label=_("到期日期"), widget=DATE)
    cross_border_mechanism = forms.ChoiceField(
        label=_("出境路径"),
        choices=CrossBorderMechanism.choices,
        required=False,
        help_text=_("接收方位于境外时必填。"),
    )
    cross_border_reference = forms.CharField(label=_("出境备案或评估编号"), max_length=100, required=False)

    def __init__(self, *args, partner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner = partner
        self.fields["purposes"].queryset = Purpose.objects.filter(is_active=True)
        for name, label in TERMS.items():
            self.fields[name] = forms.BooleanField(label=label, required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("到期日期不能早于生效日期。"))
        if self.partner is not None and self.partner.overseas and not data.get("cross_border_mechanism"):
            self.add_error(
                "cross_border_mechanism", _("接收方位于境外：须载明出境路径（安全评估、标准合同备案或认证）。")
            )
        return data

    def term_names(self):
        return list(TERMS)

    @classmethod
    def initial_for(cls, agreement):
        initial = {
            name: getattr(agreement, name)
            for name in ("kind", "number", "title", "categories", "processing_method", "valid_from", "valid_until")
        }
        initial |= {name: getattr(agreement, name) for name in TERMS}
        initial["cross_border_mechanism"] = agreement.cross_border_mechanism
        initial["cross_border_reference"] = agreement.cross_border_reference
        initial["purposes"] = list(agreement.purposes.all())
        return initial


class SignForm(forms.Form):
    signed_file = forms.FileField(
        label=_("签署文本（PDF 或扫描图片）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )

    def clean_signed_file(self):
        upload = self.cleaned_data["signed_file"]
        self.content_type = validate_attachment(upload)
        return upload


class TerminateForm(forms.Form):
    reason = forms.CharField(label=_("终止原因"), max_length=300)


class ReturnConfirmForm(forms.Form):
    note = forms.CharField(label=_("确认方式与说明"), max_length=300, help_text=_("如：收到对方出具的删除证明。"))


# --- Shares ------------------------------------------------------------------------------------

MODE_SELECTION = "selection"
MODE_FILTER = "filter"


class PeopleFilterForm(forms.Form):
    """GET filters of the people list on the share page (no personal data: encrypted fields
    cannot be searched)."""

    q = forms.CharField(label=_("企业名称包含"), max_length=100, required=False)
    industry = forms.ChoiceField(label=_("行业"), choices=[("", _("全部")), *Industry.choices], required=False)
    stage = forms.ChoiceField(label=_("项目阶段"), choices=[("", _("全部")), *Stage.choices], required=False)

    def apply(self, contacts):
        if not self.is_valid():
            return contacts
        data = self.cleaned_data
        if data.get("q"):
            contacts = contacts.filter(enterprise__name__icontains=data["q"])
        if data.get("industry"):
            contacts = contacts.filter(enterprise__industry=data["industry"])
        if data.get("stage"):
            contacts = contacts.filter(enterprise__projects__stage=data["stage"]).distinct()
        return contacts

    def selection(self):
        data = self.cleaned_data if self.is_valid() else {}
        return {k: v for k, v in data.items() if v}


class ShareForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("接收方"), queryset=Partner.objects.none(), empty_label=_("请选择"))
    agreement = forms.ModelChoiceField(
        label=_("依据的协议"), queryset=Agreement.objects.none(), empty_label=_("请选择")
    )
    purpose = forms.ModelChoiceField(label=_("处理用途"), queryset=Purpose.objects.none(), empty_label=_("请选择"))
    fields = forms.MultipleChoiceField(
        label=_("提供的字段"), choices=recipient_file.field_choices, widget=forms.CheckboxSelectMultiple
    )
    mode = forms.ChoiceField(
        label=_("提供哪些人"),
        choices=[(MODE_SELECTION, _("仅下方勾选的人员")), (MODE_FILTER, _("当前筛选结果中的全部人员"))],
        widget=forms.RadioSelect,
        initial=MODE_SELECTION,
    )
    contacts = forms.TypedMultipleChoiceField(
        label=_("人员"), coerce=int, required=False, widget=forms.MultipleHiddenInput
    )
    confirmed_exclusions = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.usable().select_related(None).only("pk", "name")
        self.fields["agreement"].queryset = Agreement.objects.in_force().select_related("partner")
        self.fields["agreement"].label_from_instance = lambda a: f"{a.partner.name} · {a.number} {a.title}"
        self.fields["purpose"].queryset = Purpose.objects.filter(is_active=True)
        self.fields["contacts"].choices = [(pk, pk) for pk in people]

    def clean(self):
        data = super().clean()
        if data.get("mode") == MODE_SELECTION and not data.get("contacts"):
            self.add_error("mode", _("请勾选要提供的人员，或选择“当前筛选结果中的全部人员”。"))
        return data

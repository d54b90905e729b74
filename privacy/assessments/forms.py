"""Forms of the impact-assessment pages (rendered with django-bootstrap5)."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.models import Partner, Purpose
from zhaoshang.core.templatetags.people import staff_name

from .models import ResidualRisk, SubjectKind, Trigger

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SCALE = [(n, str(n)) for n in range(1, 6)]


class AssessmentForm(forms.Form):
    title = forms.CharField(label=_("评估名称"), max_length=200)
    subject_kind = forms.ChoiceField(label=_("评估对象"), choices=SubjectKind.choices)
    activity = forms.CharField(
        label=_("处理活动或系统名称"), max_length=200, required=False, help_text=_("评估对象为处理活动或新系统时填写。")
    )
    partner = forms.ModelChoiceField(
        label=_("合作方"), queryset=Partner.objects.none(), required=False, empty_label=_("（不涉及）")
    )
    purposes = forms.ModelMultipleChoiceField(
        label=_("涉及的处理用途"), queryset=Purpose.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    triggers = forms.MultipleChoiceField(
        label=_("评估情形（《个人信息保护法》第五十五条）"),
        choices=Trigger.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label=_("处理情况描述"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("处理目的、方式、个人信息种类、数量、范围、流转环节。"),
    )
    legality = forms.CharField(label=_("合法性、正当性"), widget=forms.Textarea(attrs={"rows": 3}))
    necessity = forms.CharField(label=_("必要性"), widget=forms.Textarea(attrs={"rows": 3}))
    residual_risk = forms.ChoiceField(
        label=_("剩余风险"), choices=[("", _("（尚未评定）")), *ResidualRisk.choices], required=False
    )
    residual_note = forms.CharField(label=_("剩余风险说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    review_interval_days = forms.IntegerField(label=_("复核周期（天）"), min_value=30, max_value=1095, initial=365)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.select_related(None).only("pk", "name").order_by("name")
        self.fields["purposes"].queryset = Purpose.objects.filter(is_active=True)

    def clean(self):
        data = super().clean()
        kind = data.get("subject_kind")
        if kind == SubjectKind.PARTNER:
            if not data.get("partner"):
                self.add_error("partner", _("评估对象为合作方时，须选择合作方。"))
            if not data.get("purposes"):
                self.add_error("purposes", _("评估对象为合作方时，须选择涉及的处理用途。"))
        elif kind and not (data.get("activity") or "").strip():
            self.add_error("activity", _("请填写处理活动或系统名称。"))
        return data

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        purposes = data.pop("purposes")
        if data["subject_kind"] != SubjectKind.PARTNER:
            data["partner"] = None
        return purposes, data

    @classmethod
    def initial_for(cls, assessment):
        initial = {name: getattr(assessment, name) for name in cls.base_fields if name != "purposes"}
        initial["purposes"] = list(assessment.purposes.all())
        return initial


class RiskForm(forms.Form):
    title = forms.CharField(label=_("风险"), max_length=200)
    description = forms.CharField(label=_("风险说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    likelihood = forms.TypedChoiceField(label=_("可能性（1–5）"), choices=SCALE, coerce=int)
    impact = forms.TypedChoiceField(label=_("影响程度（1–5）"), choices=SCALE, coerce=int)


class MitigationForm(forms.Form):
    risk = forms.ModelChoiceField(label=_("针对的风险"), queryset=None, empty_label=_("请选择"))
    action = forms.CharField(label=_("措施"), max_length=300)
    owner = forms.ModelChoiceField(label=_("责任人"), queryset=None, empty_label=_("请选择"))
    due_date = forms.DateField(label=_("完成期限"), widget=DATE)

    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk"].queryset = assessment.risks.all()
        self.fields["owner"].queryset = (
            get_user_model().objects.filter(is_active=True, groups__isnull=False).distinct().order_by("username")
        )
        self.fields["owner"].label_from_instance = staff_name

    def clean_due_date(self):
        day = self.cleaned_data["due_date"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("完成期限不能早于今天。"))
        return day


class ApproveForm(forms.Form):
    note = forms.CharField(label=_("审批意见"), max_length=500, required=False)
    next_review_date = forms.DateField(
        label=_("下次复核日期"), required=False, widget=DATE, help_text=_("留空按复核周期（默认一年）计算。")
    )


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("复核结论"), max_length=500)
    next_review_date = forms.DateField(label=_("下次复核日期"), required=False, widget=DATE)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=500)

"""[L] Forms of the 考核 targets, the 到资 tranches and milestone plans, and the cockpit filters.
Errors in Chinese, next to the field."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.names import PersonChoiceField

from .forms import BootstrapMixin
from .models import FundTranche, Milestone, MilestonePlan, Target

QUARTER_CHOICES = [
    ("", _("全年")),
    ("1", _("第一季度")),
    ("2", _("第二季度")),
    ("3", _("第三季度")),
    ("4", _("第四季度")),
]


def _year_field(**kwargs):
    return forms.IntegerField(
        label=_("年度"),
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": _("请输入四位数的年度。"),
            "min_value": _("年度不能早于 2000 年。"),
            "max_value": _("年度不能晚于 2100 年。"),
        },
        **kwargs,
    )


class PeriodForm(BootstrapMixin, forms.Form):
    """The period (and the department) every targets page and the cockpit are read for."""

    year = _year_field(required=False)
    quarter = forms.TypedChoiceField(
        label=_("季度"), choices=QUARTER_CHOICES, required=False, coerce=int, empty_value=None
    )
    department = forms.TypedChoiceField(label=_("部门"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, departments=None, **kwargs):
        """`departments`: (id, name) pairs the user may filter by; None for no department filter."""
        super().__init__(*args, **kwargs)
        self.initial.setdefault("year", timezone.localdate().year)
        if departments is None:
            del self.fields["department"]
        else:
            self.fields["department"].choices = [("", _("全部部门")), *departments]

    def period(self):
        """(year, quarter, department id) — this year, the whole year and every department by default.
        An invalid value falls back to its default (the form shows the error next to the field)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return (
            data.get("year") or timezone.localdate().year,
            data.get("quarter") or None,
            data.get("department"),
        )


class TargetForm(BootstrapMixin, forms.ModelForm):
    """One subject's target for one period: a department or an officer (exactly one)."""

    officer = PersonChoiceField(label=_("招商人员"), queryset=None, required=False, with_department=True)
    quarter = forms.TypedChoiceField(
        label=_("季度"), choices=QUARTER_CHOICES, required=False, coerce=int, empty_value=None
    )
    year = _year_field()

    class Meta:
        model = Target
        fields = [
            "year",
            "quarter",
            "department",
            "officer",
            "signed_projects",
            "signed_investment",
            "funds_arrived",
            "landed_projects",
        ]
        error_messages = {
            name: {"min_value": _("目标值不能为负数。"), "invalid": _("请输入数字。")}
            for name in ("signed_projects", "signed_investment", "funds_arrived", "landed_projects")
        }

    def __init__(self, *args, departments, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["department"].required = False
        self.fields["officer"].queryset = officers
        for name in ("signed_investment", "funds_arrived"):
            self.fields[name].widget.attrs["min"] = 0

    def clean(self):
        data = super().clean()
        if bool(data.get("department")) == bool(data.get("officer")):
            raise forms.ValidationError(_("请选择部门或招商人员之一（不能同时选择）。"))
        for name in ("signed_investment", "funds_arrived"):
            if data.get(name) is not None and data[name] < 0:
                self.add_error(name, _("目标值不能为负数。"))
        names = ("signed_projects", "signed_investment", "funds_arrived", "landed_projects")
        if all(data.get(n) is None for n in names) and not any(n in self.errors for n in names):
            raise forms.ValidationError(_("请至少填写一项目标值。"))
        return data

    def validate_unique(self):
        pass  # target_set replaces the existing target of the same subject and period

    def _get_validation_exclusions(self):
        return {*super()._get_validation_exclusions(), "officer", "department", "year", "quarter"}


class FundTrancheForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = FundTranche
        fields = ["date", "amount", "evidence_note"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
        error_messages = {
            "amount": {"min_value": _("到位金额须大于零。"), "invalid": _("请输入金额（万元）。")},
            "date": {"invalid": _("请输入有效日期。")},
            "evidence_note": {"required": _("请填写凭证说明（如银行回单编号）。")},
        }

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("到账日期不能晚于今天。"))
        if date < datetime.date(2000, 1, 1):
            raise forms.ValidationError(_("请输入有效日期。"))
        return date


class MilestonePlanForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = MilestonePlan
        fields = ["kind", "planned_date", "planned_amount"]
        widgets = {"planned_date": forms.DateInput(attrs={"type": "date"})}
        help_texts = {"planned_amount": _("仅到资节点填写。")}

    def clean(self):
        data = super().clean()
        if data.get("kind") == Milestone.Kind.FUNDING and data.get("planned_amount") in (None, ""):
            self.add_error("planned_amount", _("到资节点须填写计划金额。"))
        if data.get("planned_amount") is not None and data["planned_amount"] < 0:
            self.add_error("planned_amount", _("计划金额不能为负数。"))
        return data

    def validate_unique(self):
        pass  # milestone_plan_set replaces the plan of the same kind

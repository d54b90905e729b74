"""Forms of the retention pages: editing a rule, starting a purge, placing and releasing a legal hold."""

import datetime

from django import forms
from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.models import LegalHold, RetentionRule


class RetentionRuleForm(forms.ModelForm):
    """The privacy officer's edit of one rule. Code and category are fixed (the code base and the
    purge name them); the floors and the allowed clocks and actions are checked by
    `RetentionRule.clean`, the same check the admin console runs, backed by the table's constraints."""

    class Meta:
        model = RetentionRule
        fields = ["name", "clock_event", "period_days", "action", "legal_basis", "active", "order"]
        widgets = {"legal_basis": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class PurgeStartForm(forms.Form):
    rule = forms.ChoiceField(label=_("规则"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("全部启用的规则"))] + [
            (rule.code, rule.name) for rule in RetentionRule.objects.active()
        ]


class PurgeConfirmForm(forms.Form):
    preview = forms.IntegerField(widget=forms.HiddenInput)


TARGETS = {
    "enterprise": ("clients.Enterprise", _("企业")),
    "contact": ("clients.Contact", _("联系人")),
    "project": ("clients.Project", _("项目")),
}


class LegalHoldForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=LegalHold.Kind.choices, initial=LegalHold.Kind.LEGAL_HOLD)
    target_type = forms.ChoiceField(label=_("对象类型"), choices=[(k, label) for k, (_m, label) in TARGETS.items()])
    target_id = forms.IntegerField(label=_("对象编号"), min_value=1)
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    reference = forms.CharField(label=_("依据文号"), max_length=100, required=False)
    until = forms.DateField(
        label=_("截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("留空表示直至解除。"),
    )

    def clean_until(self):
        until = self.cleaned_data.get("until")
        if until and until <= timezone.localdate():
            raise forms.ValidationError(_("截止日期须晚于今天。"))
        return until

    def clean(self):
        data = super().clean()
        kind, pk = data.get("target_type"), data.get("target_id")
        if kind in TARGETS and pk:
            model = apps.get_model(TARGETS[kind][0])
            target = model._base_manager.filter(pk=pk).first()
            if target is None:
                self.add_error("target_id", _("未找到该编号的记录。"))
            else:
                data["target"] = target
        return data

    def hold_kwargs(self):
        data = self.cleaned_data
        until = data.get("until")
        if until:
            until = timezone.make_aware(datetime.datetime.combine(until, datetime.time.max))
        return {
            "kind": data["kind"],
            data["target_type"]: data["target"],
            "reason": data["reason"],
            "reference": data.get("reference", ""),
            "until": until,
        }


class LegalHoldReleaseForm(forms.Form):
    note = forms.CharField(label=_("解除说明"), max_length=300)

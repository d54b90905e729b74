"""Forms of the retention pages: editing a rule, starting a purge, placing and releasing a legal hold."""

import datetime

from django import forms
from django.apps import apps
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.models import LegalHold, RetentionRule
from zhaoshang.core.localized import localized


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
            (rule.code, localized(rule)) for rule in RetentionRule.objects.active()
        ]


class PurgeConfirmForm(forms.Form):
    preview = forms.IntegerField(widget=forms.HiddenInput)


TARGETS = {
    "enterprise": ("clients.Enterprise", _("企业")),
    "contact": ("clients.Contact", _("联系人")),
    "project": ("clients.Project", _("项目")),
}


def hold_candidates(user, query):
    """[(value, label)] for the hold form: enterprises found by name or credit code, with their
    contacts (masked: data subjects are never listed by name) and projects. At most 20 enterprises."""
    from clients.models import Contact, Enterprise, Project
    from clients.validators import normalise_credit_code

    query = (query or "").strip()
    if not query:
        return []
    code = normalise_credit_code(query)
    enterprises = Enterprise.objects.visible_to(user)
    if len(code) == 18 and code.isalnum():
        enterprises = enterprises.filter(credit_code=code)
    else:
        enterprises = enterprises.name_contains(query).order_by()
    enterprises = enterprises.prefetch_related(
        Prefetch("contacts", queryset=Contact._base_manager.only("id", "enterprise_id").order_by("pk")),
        Prefetch("projects", queryset=Project.objects.only("id", "title", "enterprise_id").order_by("pk")),
    )
    enterprises = sorted(enterprises[:20], key=lambda e: e.name)
    choices = []
    for e in enterprises:
        choices.append(
            (f"enterprise:{e.pk}", _("企业：%(name)s（%(code)s）") % {"name": e.name, "code": e.credit_code or "—"})
        )
        for c in e.contacts.all():
            choices.append((f"contact:{c.pk}", _("— 联系人 #%(pk)s · %(name)s") % {"pk": c.pk, "name": e.name}))
        for p in e.projects.all():
            choices.append((f"project:{p.pk}", _("— 项目：%(title)s") % {"title": p.title}))
    return choices


class LegalHoldForm(forms.Form):
    """The object is found by searching its enterprise's name or credit code (`q`, a GET search
    on the same page) and picked from the results; type and id can still be posted directly."""

    kind = forms.ChoiceField(label=_("类型"), choices=LegalHold.Kind.choices, initial=LegalHold.Kind.LEGAL_HOLD)
    target = forms.ChoiceField(label=_("保全对象"), required=False, widget=forms.RadioSelect)
    target_type = forms.ChoiceField(
        choices=[(k, label) for k, (_m, label) in TARGETS.items()], required=False, widget=forms.HiddenInput
    )
    target_id = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
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

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = list(candidates)
        if self.is_bound and self.data.get("target") and not candidates:
            self.fields["target"].choices = [(self.data["target"], self.data["target"])]

    def clean(self):
        data = super().clean()
        if data.get("target"):
            target_type, _sep, target_id = data["target"].partition(":")
            data["target_type"], data["target_id"] = target_type, int(target_id) if target_id.isdigit() else None
        kind, pk = data.get("target_type"), data.get("target_id")
        if not (kind and pk) and "target" not in self.errors:
            self.add_error("target", _("请先按企业名称或统一社会信用代码查找，再选择保全对象。"))
        if kind in TARGETS and pk:
            model = apps.get_model(TARGETS[kind][0])
            target = model._base_manager.filter(pk=pk).first()
            if target is None:
                self.add_error("target", _("未找到该编号的记录。"))
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

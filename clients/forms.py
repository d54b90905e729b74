"""Forms of the case pages. Errors in Chinese, next to the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.names import person_name

from .models import (
    CollectionPurpose,
    Enterprise,
    FollowUpMethod,
    LossReason,
    Milestone,
    Project,
    RevealPurpose,
    Source,
    Stage,
)
from .validators import normalise_credit_code


class BootstrapMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class EnterpriseForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = ["name", "credit_code", "industry", "region", "registered_capital", "capital_currency", "source"]

    def __init__(self, *args, **kwargs):
        from django.urls import reverse

        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            # 查重 while typing: who already holds this name or credit code (htmx, no personal data).
            for name in ("name", "credit_code"):
                self.fields[name].widget.attrs.update(
                    {
                        "hx-get": reverse("clients:enterprise_check"),
                        "hx-trigger": "change, keyup changed delay:600ms",
                        "hx-target": "#dup-check",
                        "hx-include": "#id_name, #id_credit_code",
                    }
                )

    def clean_credit_code(self):
        return normalise_credit_code(self.cleaned_data.get("credit_code")) or None

    def _get_validation_exclusions(self):
        # Uniqueness of the credit code is answered by the 查重 step, which says who owns the record.
        return {*super()._get_validation_exclusions(), "credit_code"}

    def validate_unique(self):
        pass


class ProjectForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "title",
            "industry",
            "planned_investment",
            "currency",
            "land_need_mu",
            "space_need_sqm",
            "needs_note",
        ]


class StageForm(BootstrapMixin, forms.Form):
    """A stage move; the rules (clients.stages.TRANSITIONS) are checked by the service. Given the
    project, only the stages the table allows from its current one are offered."""

    stage = forms.ChoiceField(label=_("新阶段"), choices=Stage.choices)
    loss_reason = forms.ModelChoiceField(
        label=_("终止原因分类"),
        queryset=LossReason.objects.filter(active=True),
        required=False,
        to_field_name="code",
        help_text=_("终止项目时必选。"),
    )
    reason = forms.CharField(
        label=_("说明 / 原因"), max_length=300, required=False, help_text=_("退回、终止或重新启动时必填。")
    )

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        if project is not None:
            from .stages import KIND_LABELS, allowed_targets

            targets = allowed_targets(project.stage)
            self.fields["stage"].choices = [
                (stage.value, f"{stage.label} · {KIND_LABELS[kind]}") for stage, kind in targets
            ]
            # the next step forward is offered first (a back move or 终止 is a deliberate choice)
            self.fields["stage"].initial = next((s.value for s, kind in targets if kind != "back"), None)

    def clean(self):
        data = super().clean()
        if data.get("stage") == Stage.TERMINATED and not data.get("loss_reason"):
            self.add_error("loss_reason", _("终止项目须选择终止原因分类。"))
        if data.get("stage") == Stage.TERMINATED and not (data.get("reason") or "").strip():
            self.add_error("reason", _("终止项目须填写终止原因。"))
        return data


class MilestoneForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["kind", "date", "amount", "note"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}


class AssignForm(BootstrapMixin, forms.Form):
    to_user = forms.ModelChoiceField(label=_("分派给"), queryset=None)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = users
        self.fields["to_user"].label_from_instance = person_name


class CollaboratorForm(BootstrapMixin, forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    write = forms.BooleanField(label=_("可编辑"), required=False)
    days = forms.IntegerField(label=_("临时授权天数（留空为长期协办）"), min_value=1, max_value=90, required=False)

    def clean_username(self):
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=self.cleaned_data["username"].strip(), is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("找不到该用户。"))
        return user


class CollaborationRequestForm(BootstrapMixin, forms.Form):
    """No free text: the owner's notification carries the requester's account and the enterprise number only."""


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    stage = forms.ChoiceField(label=_("阶段"), required=False, choices=[("", _("全部阶段")), *Stage.choices])
    mine = forms.BooleanField(label=_("只看我的"), required=False)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("企业名称、统一社会信用代码、手机号或邮箱"), max_length=100, required=False)


class ContactForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=100)
    mobile = forms.RegexField(
        label=_("手机号"),
        regex=r"^\+?[0-9][0-9 \-]{5,19}$",
        required=False,
        error_messages={"invalid": _("请输入有效的手机号。")},
    )
    email = forms.EmailField(
        label=_("电子邮箱"), required=False, error_messages={"invalid": _("请输入有效的邮箱地址。")}
    )
    wechat = forms.CharField(label=_("微信号"), max_length=60, required=False)
    id_number = forms.RegexField(
        label=_("身份证号（敏感，选填）"),
        regex=r"^[0-9]{17}[0-9Xx]$",
        required=False,
        error_messages={"invalid": _("身份证号应为18位。")},
    )
    position = forms.CharField(label=_("职务"), max_length=100, required=False)
    source = forms.ChoiceField(label=_("信息来源"), choices=Source.choices)
    purpose = forms.ChoiceField(label=_("收集用途"), choices=CollectionPurpose.choices)
    verified = forms.BooleanField(label=_("已核实"), required=False)

    def clean_id_number(self):
        return (self.cleaned_data.get("id_number") or "").upper()


class ContactEditForm(ContactForm):
    """Editing never shows a stored personal value: each is shown masked, with an empty input to
    replace it (left empty: unchanged) and, for optional ones, a box to delete it."""

    PERSONAL = ("name", "mobile", "email", "wechat", "id_number")
    MASKS = {"name": "mask_name", "mobile": "mask_mobile", "email": "mask_email", "wechat": "mask_text"}
    CLEAR_LABELS = {
        "mobile": _("删除现有手机号"),
        "email": _("删除现有电子邮箱"),
        "wechat": _("删除现有微信号"),
        "id_number": _("删除现有身份证号"),
    }

    def __init__(self, *args, contact, **kwargs):
        from privacy.crypto import masking

        initial = {"position": contact.position, "source": contact.source, "purpose": contact.purpose}
        super().__init__(*args, initial={**initial, "verified": contact.verified}, **kwargs)
        fields = {}
        for name, field in self.fields.items():
            if name not in self.PERSONAL:
                fields[name] = field
                continue
            current = getattr(contact, name) or ""
            mask = getattr(masking, self.MASKS.get(name, "mask_id_number"))
            field.required = False
            field.help_text = (
                _("当前：%(masked)s。留空则保持不变。") % {"masked": mask(current)} if current else _("当前未填写。")
            )
            field.widget.attrs["placeholder"] = _("输入新值以修改")
            fields[name] = field
            if name != "name" and current:
                fields[f"clear_{name}"] = forms.BooleanField(label=self.CLEAR_LABELS[name], required=False)
                fields[f"clear_{name}"].widget.attrs["class"] = "form-check-input"
        self.fields = fields

    def clean(self):
        data = super().clean()
        for name in self.PERSONAL:
            if data.get(f"clear_{name}") and data.get(name):
                self.add_error(name, _("不能同时填写新值和删除现有信息。"))
        return data

    def changes(self):
        """Only what the person changed: a new value, a deletion, and the plain fields."""
        data = self.cleaned_data
        out = {name: data[name] for name in ("position", "source", "purpose", "verified")}
        for name in self.PERSONAL:
            if data.get(name):
                out[name] = data[name]
            elif data.get(f"clear_{name}"):
                out[name] = ""
        return out


class RevealForm(BootstrapMixin, forms.Form):
    purpose = forms.ChoiceField(
        label=_("查看用途"),
        choices=[("", _("请选择用途")), *RevealPurpose.choices],
        error_messages={"required": _("请选择查看用途。")},
    )
    note = forms.CharField(label=_("补充说明"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("purpose") == RevealPurpose.OTHER and not (data.get("note") or "").strip():
            self.add_error("note", _("选择“其他”时请说明用途。"))
        return data

    def purpose_text(self):
        label = str(RevealPurpose(self.cleaned_data["purpose"]).label)
        note = (self.cleaned_data.get("note") or "").strip()
        return f"{label}：{note}" if note else label


class FollowUpForm(BootstrapMixin, forms.Form):
    date = forms.DateField(label=_("跟进日期"), widget=forms.DateInput(attrs={"type": "date"}))
    method = forms.ChoiceField(label=_("跟进方式"), choices=FollowUpMethod.choices)
    summary = forms.CharField(label=_("跟进内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    participants = forms.CharField(label=_("参与人员"), max_length=300, required=False)
    next_contact_date = forms.DateField(
        label=_("下次联系日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("next_contact_date") and data["next_contact_date"] < data["date"]:
            self.add_error("next_contact_date", _("下次联系日期不能早于跟进日期。"))
        return data


class ImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx 或 .csv）"))
    mode = forms.ChoiceField(
        label=_("导入方式"),
        choices=[
            ("create", _("仅新增（已存在的统一社会信用代码报错）")),
            ("update", _("新增或更新（按统一社会信用代码匹配）")),
        ],
        initial="create",
    )


class VerifyForm(BootstrapMixin, forms.Form):
    """核实企业: the head notes by hand how they checked it (the 公示系统 is searched in a browser)."""

    status = forms.ChoiceField(label=_("核实结果"), choices=Enterprise.Verification.choices)
    method = forms.ChoiceField(
        label=_("核实方式"), choices=[("", "---------"), *Enterprise.VerificationMethod.choices], required=False
    )
    note = forms.CharField(
        label=_("核实说明"),
        max_length=300,
        required=False,
        help_text=_("如：已在国家企业信用信息公示系统查询，登记状态为存续，信用代码一致。请勿填写个人信息。"),
    )

    def clean(self):
        data = super().clean()
        if data.get("status") and data["status"] != Enterprise.Verification.PENDING and not data.get("method"):
            self.add_error("method", _("请选择核实方式。"))
        return data

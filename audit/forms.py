import datetime
import zoneinfo

from auditlog.models import LogEntry
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from .models import AccessEvent, AuditEngagement, Finding, Rectification
from .registry import audited_models

ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
SIGN_IN_ACTIONS = [
    AccessEvent.Action.SIGN_IN,
    AccessEvent.Action.SIGN_IN_FAILED,
    AccessEvent.Action.LOCKED_OUT,
    AccessEvent.Action.TWO_FACTOR,
]
LOG_ACTIONS = [
    (LogEntry.Action.CREATE, _("新建")),
    (LogEntry.Action.UPDATE, _("修改")),
    (LogEntry.Action.DELETE, _("删除")),
]


def _user_choices():
    User = get_user_model()
    return [("", _("全部用户"))] + [
        (str(pk), name) for pk, name in User.objects.order_by("username").values_list("pk", "username")
    ]


def _type_choices():
    types = ContentType.objects.get_for_models(*audited_models(), for_concrete_models=False).values()
    types = sorted(types, key=lambda ct: (ct.app_label, ct.model))
    return [("", _("全部类型"))] + [
        (str(ct.pk), f"{ct.app_label} · {ct.model_class()._meta.verbose_name}") for ct in types
    ]


class TrailFilterForm(forms.Form):
    """Filters of the auditor workspace. Every filter is an indexed equality or range: no text search."""

    user = forms.TypedChoiceField(label=_("用户"), required=False, coerce=int, empty_value=None)
    object_type = forms.TypedChoiceField(label=_("对象类型"), required=False, coerce=int, empty_value=None)
    object_id = forms.CharField(label=_("对象编号"), required=False, max_length=64)
    action = forms.ChoiceField(label=_("动作"), required=False)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, kind="log", **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["user"].choices = _user_choices()
        if kind == "signins":
            del self.fields["object_type"], self.fields["object_id"]
            actions = [(a.value, a.label) for a in AccessEvent.Action if a in SIGN_IN_ACTIONS]
        elif kind == "access":
            self.fields["object_type"].choices = _type_choices()
            actions = [(a.value, a.label) for a in AccessEvent.Action if a not in SIGN_IN_ACTIONS]
        else:
            self.fields["object_type"].choices = _type_choices()
            actions = [(str(v), label) for v, label in LOG_ACTIONS]
        self.fields["action"].choices = [("", _("全部动作")), *actions]

    def clean_object_id(self):
        value = self.cleaned_data["object_id"].strip()
        if value and not value.isdigit():
            raise forms.ValidationError(_("对象编号应为数字。"))
        return value

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("截止日期不能早于起始日期。"))
        return data

    def filter(self, qs):
        """Apply the valid filters to a LogEntry or AccessEvent queryset."""
        data = self.cleaned_data
        is_log = qs.model is LogEntry
        user_field, time_field, pk_field = (
            ("actor_id", "timestamp", "object_pk") if is_log else ("user_id", "at", "object_id")
        )
        if data.get("user"):
            qs = qs.filter(**{user_field: data["user"]})
        if data.get("object_type"):
            qs = qs.filter(content_type_id=data["object_type"])
        if data.get("object_id"):
            qs = qs.filter(**{pk_field: data["object_id"]})
        if data.get("action"):
            qs = qs.filter(action=int(data["action"]) if is_log else data["action"])
        elif self.kind == "signins":
            qs = qs.filter(action__in=SIGN_IN_ACTIONS)
        elif self.kind == "access":
            qs = qs.exclude(action__in=SIGN_IN_ACTIONS)
        if data.get("date_from"):
            start = datetime.datetime.combine(data["date_from"], datetime.time.min, tzinfo=ZONE)
            qs = qs.filter(**{f"{time_field}__gte": start})
        if data.get("date_to"):
            end = datetime.datetime.combine(
                data["date_to"] + datetime.timedelta(days=1), datetime.time.min, tzinfo=ZONE
            )
            qs = qs.filter(**{f"{time_field}__lt": end})
        return qs

    def as_detail(self):
        """The filter, as ids and dates only, for the export's access event."""
        return {
            k: (v.isoformat() if hasattr(v, "isoformat") else v)
            for k, v in self.cleaned_data.items()
            if v not in (None, "")
        }


class EngagementForm(forms.ModelForm):
    class Meta:
        model = AuditEngagement
        fields = ["title", "scope", "period_start", "period_end", "lead", "team", "status", "conclusion"]
        widgets = {
            "period_start": forms.DateInput(attrs={"type": "date"}),
            "period_end": forms.DateInput(attrs={"type": "date"}),
            "scope": forms.Textarea(attrs={"rows": 3}),
            "conclusion": forms.Textarea(attrs={"rows": 4}),
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("审计期间止不能早于审计期间起。"))
        return data


class FindingForm(forms.ModelForm):
    link_type = forms.TypedChoiceField(label=_("关联记录类型"), required=False, coerce=int, empty_value=None)
    link_id = forms.CharField(label=_("关联记录编号"), required=False, max_length=64)

    class Meta:
        model = Finding
        fields = ["engagement", "title", "severity", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"description": _("请勿填写个人信息（姓名、电话等），用记录编号指代。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["link_type"].choices = _type_choices()

    def clean(self):
        data = super().clean()
        if data.get("link_id") and not data.get("link_type"):
            self.add_error("link_type", _("请选择关联记录的类型。"))
        if data.get("link_id") and not data["link_id"].strip().isdigit():
            self.add_error("link_id", _("记录编号应为数字。"))
        return data

    def links(self):
        data = self.cleaned_data
        if data.get("link_type") and data.get("link_id"):
            return [(ContentType.objects.get_for_id(data["link_type"]), data["link_id"].strip())]
        return []


class RectificationForm(forms.ModelForm):
    class Meta:
        model = Rectification
        fields = ["action", "owner", "due_date"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"}), "action": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")


class EvidenceForm(forms.Form):
    evidence = forms.FileField(label=_("整改证明材料"), required=False)
    note = forms.CharField(label=_("整改情况说明"), widget=forms.Textarea(attrs={"rows": 3}))

    ALLOWED = {"pdf", "png", "jpg", "jpeg", "docx", "xlsx", "zip", "txt"}

    def clean_evidence(self):
        f = self.cleaned_data.get("evidence")
        if f:
            ext = f.name.rsplit(".", 1)[-1].lower() if "." in f.name else ""
            if ext not in self.ALLOWED:
                raise forms.ValidationError(_("仅支持 PDF、图片、Word、Excel、ZIP 或文本文件。"))
            if f.size > 10 * 1024 * 1024:
                raise forms.ValidationError(_("文件不能超过 10 MB。"))
        return f


class VerifyForm(forms.Form):
    decision = forms.ChoiceField(label=_("验证结论"), choices=[("accept", _("通过")), ("reject", _("不通过"))])
    note = forms.CharField(label=_("验证意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

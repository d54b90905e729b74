"""Forms of the incident pages (rendered with django-bootstrap5)."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.consent.models import DataCategory
from zhaoshang.core.templatetags.people import staff_name

from .models import Incident, IncidentKind, IncidentLevel

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return staff_name(obj)


def staff_queryset():
    return get_user_model().objects.filter(is_active=True).order_by("username")


class IncidentForm(forms.Form):
    title = forms.CharField(label=_("事件名称"), max_length=200)
    detected_at = forms.DateTimeField(label=_("发现时间"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    kind = forms.ChoiceField(label=_("事件类型"), choices=IncidentKind.choices)
    level = forms.ChoiceField(
        label=_("事件级别"),
        choices=IncidentLevel.choices,
        help_text=_("按《国家网络安全事件报告管理办法》附件《网络安全事件分级指南》研判。"),
    )
    description = forms.CharField(label=_("事件经过"), widget=forms.Textarea(attrs={"rows": 4}))
    cause = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    data_categories = forms.MultipleChoiceField(
        label=_("涉及的个人信息种类"), choices=DataCategory.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    def clean_detected_at(self):
        value = self.cleaned_data["detected_at"]
        if value > timezone.now():
            raise forms.ValidationError(_("发现时间不能晚于现在。"))
        return value


class PeopleForm(forms.Form):
    MODES = [
        ("reads", _("某用户在某期间读取的人员（访问记录）")),
        ("event", _("一次导出或对外提供涉及的人员")),
        ("list", _("联系人编号清单")),
    ]
    mode = forms.ChoiceField(label=_("查找方式"), choices=MODES, widget=forms.RadioSelect, initial="reads")
    user = StaffChoiceField(label=_("用户"), queryset=staff_queryset(), required=False)
    date_from = forms.DateField(label=_("开始日期"), widget=DATE, required=False)
    date_to = forms.DateField(label=_("结束日期"), widget=DATE, required=False)
    event_id = forms.IntegerField(label=_("导出访问记录编号"), min_value=1, required=False)
    share_id = forms.IntegerField(label=_("对外提供记录编号"), min_value=1, required=False)
    contact_ids = forms.CharField(
        label=_("联系人编号"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("以逗号、空格或换行分隔。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff_queryset()

    def clean_contact_ids(self):
        raw = self.cleaned_data["contact_ids"].replace(",", " ").replace("，", " ").split()
        if any(not part.isdigit() for part in raw):
            raise forms.ValidationError(_("联系人编号只能是数字。"))
        if len(raw) > 20000:
            raise forms.ValidationError(_("一次最多 20000 个编号。"))
        return [int(part) for part in raw]

    def query_kwargs(self):
        data = self.cleaned_data
        return {
            "mode": data["mode"],
            "user_id": data["user"].pk if data.get("user") else None,
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "event_id": data.get("event_id"),
            "share_id": data.get("share_id"),
            "contact_ids": data.get("contact_ids") or [],
        }


class TaskForm(forms.Form):
    title = forms.CharField(label=_("处置措施"), max_length=200)
    owner = StaffChoiceField(label=_("负责人"), queryset=staff_queryset())
    due_date = forms.DateField(label=_("完成期限"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_queryset()


class ReportForm(forms.Form):
    reported_at = forms.DateTimeField(label=_("报告时间"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    note = forms.CharField(
        label=_("报告情况"), max_length=1000, required=False, help_text=_("报告对象、方式、受理编号等。")
    )


class NoticeForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = [
            "notice_data_kinds",
            "notice_cause",
            "notice_harm",
            "notice_measures",
            "notice_advice",
            "notice_contact",
        ]
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in fields[:-1]}


class NoteForm(forms.Form):
    text = forms.CharField(label=_("备注"), max_length=500)


class CloseForm(forms.Form):
    root_cause = forms.CharField(label=_("根本原因"), widget=forms.Textarea(attrs={"rows": 3}))
    lessons = forms.CharField(label=_("经验教训"), widget=forms.Textarea(attrs={"rows": 3}))


class DrillForm(forms.Form):
    held_on = forms.DateField(label=_("演练日期"), widget=DATE)
    scenario = forms.CharField(label=_("演练场景"), max_length=200)
    participants = forms.CharField(label=_("参加人员"), widget=forms.Textarea(attrs={"rows": 2}))
    findings = forms.CharField(label=_("发现的问题与改进"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

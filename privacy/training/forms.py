"""Forms of the training pages (rendered with django-bootstrap5)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Role
from complaints.forms import validate_attachment
from privacy.incidents.forms import DATE, StaffChoiceField, staff_queryset
from privacy.sharing.models import Partner


class CourseForm(forms.Form):
    title = forms.CharField(label=_("课程名称"), max_length=200)
    audience_roles = forms.MultipleChoiceField(
        label=_("适用角色"),
        choices=Role.Code.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("不选表示适用于所有人员。"),
    )
    validity_months = forms.IntegerField(label=_("有效期（月）"), min_value=1, max_value=60, initial=12)
    link = forms.URLField(label=_("课程链接"), required=False, assume_scheme="https")
    material = forms.FileField(label=_("培训材料（加密保存）"), required=False)

    def clean_material(self):
        upload = self.cleaned_data.get("material")
        self.content_type = validate_attachment(upload) if upload else ""
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("link") and not data.get("material") and not self.errors:
            raise forms.ValidationError(_("请上传培训材料或填写课程链接。"))
        return data


class CompletionForm(forms.Form):
    person = StaffChoiceField(label=_("本单位人员"), queryset=staff_queryset(), required=False)
    partner = forms.ModelChoiceField(label=_("合作方"), queryset=Partner.objects.none(), required=False)
    partner_staff_name = forms.CharField(label=_("合作方人员姓名"), max_length=50, required=False)
    completed_on = forms.DateField(label=_("完成日期"), widget=DATE)
    score = forms.IntegerField(label=_("成绩"), min_value=0, max_value=100, required=False)
    passed = forms.BooleanField(label=_("考核通过"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = staff_queryset()
        self.fields["partner"].queryset = Partner.objects.filter(is_active=True).order_by("name")

    def clean(self):
        data = super().clean()
        if bool(data.get("person")) == bool(data.get("partner")):
            raise forms.ValidationError(_("请选择本单位人员，或选择合作方并填写其人员姓名。"))
        if data.get("partner") and not (data.get("partner_staff_name") or "").strip():
            self.add_error("partner_staff_name", _("请填写合作方人员姓名。"))
        if data.get("completed_on") and data["completed_on"] > timezone.localdate():
            self.add_error("completed_on", _("完成日期不能晚于今天。"))
        return data


class RecognitionForm(forms.Form):
    awarded_on = forms.DateField(label=_("表彰日期"), widget=DATE)
    title = forms.CharField(label=_("表彰事项"), max_length=200)
    reason = forms.CharField(label=_("事迹"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

"""Forms of the self-service links: the staff's choice of channel and the person's request and complaint."""

from django import forms
from django.utils.translation import gettext_lazy as _

from privacy.requests.models import RequestKind

from .models import LinkChannel


class SendLinkForm(forms.Form):
    via = forms.ChoiceField(label=_("发送方式"), choices=LinkChannel.choices)

    def __init__(self, *args, **kwargs):
        from privacy.sms import sms_configured

        super().__init__(*args, **kwargs)
        if not sms_configured():  # still listed, so choosing it explains why nothing can be sent
            self.fields["via"].choices = [
                (value, _("短信（未配置短信服务）") if value == LinkChannel.SMS else label)
                for value, label in LinkChannel.choices
            ]


class SelfServiceRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("请求类型"), choices=RequestKind.choices)
    details = forms.CharField(
        label=_("补充说明（可不填）"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SelfServiceComplaintForm(forms.Form):
    """The person chooses type and category as on the public form; who they are comes from the link."""

    kind = forms.ModelChoiceField(label=_("诉求类型"), queryset=None, empty_label=None)
    category = forms.ModelChoiceField(label=_("诉求分类"), queryset=None, empty_label=_("请选择"))
    description = forms.CharField(
        label=_("投诉内容"),
        min_length=10,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"min_length": _("请至少填写10个字，说明事情经过和您的诉求。")},
    )

    def __init__(self, *args, **kwargs):
        from complaints.models import ComplaintCategory, ComplaintKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = ComplaintKind.objects.filter(is_active=True)
        self.fields["category"].queryset = ComplaintCategory.objects.filter(is_active=True)
        self.fields["category"].error_messages["required"] = _("请选择诉求分类。")
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", "form-select" if name in ("kind", "category") else "form-control")

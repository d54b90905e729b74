"""Forms of the self-service links: the staff's choice of channel and the person's request and complaint."""

from django import forms
from django.utils.translation import gettext_lazy as _

from privacy.requests.models import RequestKind

from .models import LinkChannel


class SendLinkForm(forms.Form):
    via = forms.ChoiceField(label=_("发送方式"), choices=LinkChannel.choices)


class SelfServiceRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("请求类型"), choices=RequestKind.choices)
    details = forms.CharField(
        label=_("补充说明（可不填）"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SelfServiceComplaintForm(forms.Form):
    description = forms.CharField(
        label=_("投诉内容"),
        min_length=10,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"min_length": _("请至少填写10个字，说明事情经过和您的诉求。")},
    )

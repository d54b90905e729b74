"""Forms of the complaints app. Every error message is Chinese and sits next to its field."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clients.models import Department
from zhaoshang.core.names import PersonChoiceField

from .models import STAFF_CHANNELS, Channel, ComplaintCategory, ComplaintKind

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5

# Allowed types, recognised by their first bytes, and the file-name endings each may carry.
_SIGNATURES = [
    ("application/pdf", (b"%PDF-",), {"pdf"}),
    ("image/png", (b"\x89PNG\r\n\x1a\n",), {"png"}),
    ("image/jpeg", (b"\xff\xd8\xff",), {"jpg", "jpeg"}),
    ("image/gif", (b"GIF87a", b"GIF89a"), {"gif"}),
]


def sniff_content_type(head):
    """The allowed content type the bytes `head` start with, or None."""
    for content_type, prefixes, _exts in _SIGNATURES:
        if any(head.startswith(p) for p in prefixes):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _extensions(content_type):
    if content_type == "image/webp":
        return {"webp"}
    return next(exts for ct, _p, exts in _SIGNATURES if ct == content_type)


def validate_attachment(upload):
    """Return the checked content type of an upload, or raise a Chinese ValidationError.

    The type is decided by the file's content (magic bytes), and the name's ending must agree
    with it: a program renamed to .pdf is refused, and so is a PDF renamed to .jpg.
    """
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(_("附件“%(name)s”超过10 MB。"), params={"name": upload.name[:60]})
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_content_type(head)
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if content_type is None or extension not in _extensions(content_type):
        raise ValidationError(
            _("附件“%(name)s”不是有效的图片或PDF文件（仅支持 PDF、PNG、JPG、GIF、WEBP）。"),
            params={"name": upload.name[:60]},
        )
    return content_type


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.gif,.webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if len(files) > MAX_ATTACHMENTS:
            raise ValidationError(_("最多上传%(n)s个附件。"), params={"n": MAX_ATTACHMENTS})
        cleaned, errors = [], []
        for upload in files:
            upload = super().clean(upload, initial)
            try:
                cleaned.append((validate_attachment(upload), upload))
            except ValidationError as exc:
                errors.extend(exc.error_list)
        if errors:
            raise ValidationError(errors)
        return cleaned


class _IntakeFields(forms.Form):
    kind = forms.ModelChoiceField(
        label=_("诉求类型"), queryset=ComplaintKind.objects.filter(is_active=True), empty_label=None
    )
    category = forms.ModelChoiceField(
        label=_("诉求分类"), queryset=ComplaintCategory.objects.filter(is_active=True), empty_label=_("请选择")
    )
    description = forms.CharField(
        label=_("诉求内容"),
        min_length=10,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"min_length": _("请至少填写10个字，说明事情经过和您的诉求。")},
    )
    name = forms.CharField(label=_("姓名（可不填）"), max_length=100, required=False)
    phone = forms.RegexField(
        label=_("联系电话（可不填）"),
        regex=r"^[0-9+\-() ]{5,30}$",
        required=False,
        error_messages={"invalid": _("请输入有效的电话号码。")},
    )
    email = forms.EmailField(
        label=_("电子邮箱（可不填）"), required=False, error_messages={"invalid": _("请输入有效的电子邮箱。")}
    )
    attachments = AttachmentsField(label=_("附件（图片或PDF，每个不超过10 MB）"))


class PublicComplaintForm(_IntakeFields):
    consent = forms.BooleanField(
        label=_("我已阅读《个人信息保护政策》，同意为处理本诉求使用我填写的信息。"),
        error_messages={"required": _("请先阅读并同意个人信息保护政策。")},
    )


class StaffComplaintForm(_IntakeFields):
    channel = forms.ChoiceField(label=_("来源渠道"), choices=[(c.value, c.label) for c in STAFF_CHANNELS])
    subject_department = forms.ModelChoiceField(
        label=_("被投诉部门"), queryset=Department.objects.filter(is_active=True), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("投诉人姓名")
        self.fields["phone"].label = _("联系电话")
        self.fields["email"].label = _("电子邮箱")

    def clean_channel(self):
        return Channel(self.cleaned_data["channel"])


def handler_choices():
    User = get_user_model()
    return User.objects.filter(is_active=True, profile__department__isnull=False).select_related("profile__department")


class AssignForm(forms.Form):
    department = forms.ModelChoiceField(label=_("承办部门"), queryset=Department.objects.filter(is_active=True))
    handler = PersonChoiceField(label=_("承办人"), queryset=get_user_model().objects.none(), with_department=True)
    note = forms.CharField(label=_("分派说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handler_choices()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class TextForm(forms.Form):
    text = forms.CharField(label=_("内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class OptionalNoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("满意度"),
        coerce=int,
        choices=[
            (5, _("5 非常满意")),
            (4, _("4 满意")),
            (3, _("3 基本满意")),
            (2, _("2 不满意")),
            (1, _("1 非常不满意")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择评分。")},
    )
    comment = forms.CharField(
        label=_("评价意见（可不填）"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ExtensionForm(forms.Form):
    extra_working_days = forms.IntegerField(label=_("延长工作日"), min_value=1, max_value=30)
    reason = forms.CharField(label=_("延期理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ExtensionDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审批意见"),
        coerce=lambda v: v == "1",
        choices=[("1", pgettext_lazy("审批意见", "同意")), ("0", pgettext_lazy("审批意见", "不同意"))],
    )
    note = forms.CharField(label=_("说明"), max_length=1000, required=False)


class LinkForm(forms.Form):
    subject_request_ref = forms.CharField(label=_("个人信息权利请求编号"), max_length=40, required=False)
    incident_ref = forms.CharField(label=_("安全事件编号"), max_length=40, required=False)


class RevealForm(forms.Form):
    purpose = forms.CharField(label=_("查看目的"), max_length=200)


class FilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False)
    due = forms.ChoiceField(
        label=_("期限"),
        required=False,
        choices=[
            ("", _("全部")),
            ("mine", _("我的待办")),
            ("awaiting", _("待分派")),
            ("soon", _("即将到期")),
            ("overdue", _("已超期")),
        ],
    )

    def __init__(self, *args, **kwargs):
        from .models import Status

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("全部状态")), *Status.choices]

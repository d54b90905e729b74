"""Forms of data-subject requests: the person's short form per kind, the public form, staff entry
and the staff's workflow actions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import STAFF_CHANNELS, CorrectableField, RefusalGround, Relationship, Requester, RequestKind

PROOF_TYPES = {"application/pdf", "image/jpeg", "image/png"}
PROOF_MAX_BYTES = 5 * 1024 * 1024


class RequesterMixin(forms.Form):
    """Who asks: the person, or a close relative of a deceased person (name, relationship, proof)."""

    requester = forms.ChoiceField(
        label=_("申请人"), choices=Requester.choices, initial=Requester.SELF, widget=forms.RadioSelect
    )
    relative_name = forms.CharField(label=_("近亲属姓名"), max_length=50, required=False)
    relationship = forms.ChoiceField(
        label=_("与已故者的关系"), choices=[("", "---------"), *Relationship.choices], required=False
    )
    proof = forms.FileField(
        label=_("关系证明（死亡证明及亲属关系证明，PDF/JPG/PNG，不超过5MB）"),
        required=False,
    )

    def clean_proof(self):
        proof = self.cleaned_data.get("proof")
        if not proof:
            return proof
        if proof.size > PROOF_MAX_BYTES:
            raise forms.ValidationError(_("文件不能超过5MB。"))
        head = proof.read(8)
        proof.seek(0)
        if not (head.startswith(b"%PDF") or head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG")):
            raise forms.ValidationError(_("只接受PDF、JPG或PNG文件。"))
        return proof

    def clean(self):
        data = super().clean()
        if data.get("requester") == Requester.RELATIVE:
            if not (data.get("relative_name") or "").strip():
                self.add_error("relative_name", _("请填写近亲属姓名。"))
            if not data.get("relationship"):
                self.add_error("relationship", _("请选择与已故者的关系。"))
            if not data.get("proof"):
                self.add_error("proof", _("请上传关系证明。"))
        return data


class KindDetailsMixin(forms.Form):
    """Fields that depend on the kind; `__init__(kind=...)` drops the ones another kind needs."""

    correction_field = forms.ChoiceField(
        label=_("需要更正或补充的项目"), choices=[("", "---------"), *CorrectableField.choices], required=False
    )
    correction_value = forms.CharField(label=_("正确的内容"), max_length=200, required=False)
    details = forms.CharField(
        label=_("补充说明（可不填）"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm = forms.BooleanField(label=_("我已了解删除的后果，确认申请删除"), required=False)

    def setup_kind(self, kind):
        self.kind = kind
        if kind != RequestKind.CORRECTION:
            del self.fields["correction_field"], self.fields["correction_value"]
        else:
            self.fields["correction_field"].required = True
            self.fields["correction_value"].required = True
        if kind != RequestKind.DELETION:
            del self.fields["confirm"]
        else:
            self.fields["confirm"].required = True
            self.fields["confirm"].error_messages["required"] = _("请勾选确认后再提交。")
        if kind in (RequestKind.RESTRICTION, RequestKind.DELETION):
            self.fields["details"].label = _("请说明您希望我们停止或删除哪些处理（可不填）")


class SelfServiceKindForm(KindDetailsMixin, RequesterMixin):
    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_kind(kind)


class PublicRequestForm(KindDetailsMixin):
    """For a person without a link: matched by name and mobile or e-mail (blind index)."""

    kind = forms.ChoiceField(label=_("请求类型"), choices=RequestKind.choices)
    name = forms.CharField(label=_("姓名"), max_length=50)
    mobile = forms.CharField(label=_("手机号"), max_length=30, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)

    field_order = ["kind", "name", "mobile", "email", "correction_field", "correction_value", "details", "confirm"]

    def clean(self):
        data = super().clean()
        if not (data.get("mobile") or "").strip() and not (data.get("email") or "").strip():
            self.add_error(None, _("请填写您在我们这里登记的手机号或电子邮箱。"))
        kind = data.get("kind")
        if kind == RequestKind.CORRECTION and not (data.get("correction_field") and data.get("correction_value")):
            self.add_error("correction_value", _("请选择要更正的项目并填写正确的内容。"))
        if kind == RequestKind.DELETION and not data.get("confirm"):
            self.add_error("confirm", _("请勾选确认后再提交。"))
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("您的答复"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class StaffRequestForm(KindDetailsMixin, RequesterMixin):
    """A request made by phone, letter, visit or e-mail, recorded from the contact page."""

    kind = forms.ChoiceField(label=_("请求类型"), choices=RequestKind.choices)
    channel = forms.ChoiceField(label=_("提出渠道"), choices=[(c.value, c.label) for c in STAFF_CHANNELS])
    verified = forms.BooleanField(label=_("已当面或以书面材料核验申请人身份"), required=False)
    verification_note = forms.CharField(label=_("核验方式"), max_length=500, required=False)

    field_order = ["kind", "channel", "requester", "relative_name", "relationship", "proof"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["confirm"]
        self.fields["correction_field"].label = _("更正项目（更正请求必填）")
        self.fields["correction_value"].label = _("更正后的内容（更正请求必填）")
        self.fields["details"].label = _("请求内容")

    def clean(self):
        data = super().clean()
        if data.get("verified") and not (data.get("verification_note") or "").strip():
            self.add_error("verification_note", _("请填写核验方式（如当面查验身份证件）。"))
        if data.get("kind") == RequestKind.CORRECTION and not (
            data.get("correction_field") and (data.get("correction_value") or "").strip()
        ):
            self.add_error("correction_value", _("请选择要更正的项目并填写正确的内容。"))
        return data


# --- Staff actions ------------------------------------------------------------------------------


class AssignForm(forms.Form):
    handler = forms.ModelChoiceField(label=_("承办人"), queryset=None)

    def __init__(self, *args, subject_request=None, **kwargs):
        from django.contrib.auth import get_user_model

        from .services import handler_choices

        super().__init__(*args, **kwargs)
        ids = [u.pk for u in handler_choices(subject_request)] if subject_request is not None else []
        self.fields["handler"].queryset = get_user_model().objects.filter(pk__in=ids).order_by("username")


class NoteForm(forms.Form):
    text = forms.CharField(label=_("内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class VerifyForm(forms.Form):
    note = forms.CharField(label=_("核验方式"), max_length=500)


class RefuseForm(forms.Form):
    ground = forms.ChoiceField(label=_("法定理由"), choices=[("", "---------"), *RefusalGround.choices])
    text = forms.CharField(label=_("具体说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class CompleteForm(forms.Form):
    outcome = forms.CharField(label=_("给申请人的答复"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    partly = forms.BooleanField(label=_("仅部分完成"), required=False)
    apply = forms.BooleanField(
        label=_("执行请求（更正、删除、限制、撤回同意或生成副本）"), required=False, initial=True
    )
    correction_value = forms.CharField(label=_("核对后的更正内容"), max_length=200, required=False)

    def __init__(self, *args, subject_request=None, **kwargs):
        super().__init__(*args, **kwargs)
        if subject_request is None or subject_request.kind != RequestKind.CORRECTION:
            del self.fields["correction_value"]
        if subject_request is not None and subject_request.kind == RequestKind.EXPLANATION:
            del self.fields["apply"]

"""Excel import and export (django-import-export) with Chinese column headers.

Import: enterprises (matched on 统一社会信用代码, create or update mode), contacts (matched to an
existing person by mobile or e-mail, which is updated instead of duplicated) and projects (matched
to an enterprise the importer may change, by credit code). Every row is validated with
Chinese messages; a file with any error imports nothing. Rows created by an import carry its
ImportBatch so the whole import can be undone; updated enterprises and people keep their previous
values (people's as stored: ciphertexts and blind indexes).

Export: the same columns, masked personal fields unless the role may export clear values, and
every cell that a spreadsheet would read as a formula neutralised.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from privacy.crypto.fields import EncryptedField, Sealed
from privacy.crypto.masking import mask_email, mask_id_number, mask_mobile, mask_name, mask_text
from zhaoshang.core.localized import join_list

from .models import CollectionPurpose, Contact, Currency, Enterprise, Industry, Project, Source, Stage
from .scopes import can_write, user_department_id
from .validators import normalise_credit_code

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell a spreadsheet would evaluate as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class ChoiceWidget(widgets.Widget):
    """Accepts either the stored code or the Chinese label; exports the label."""

    def __init__(self, choices, *, required=False, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices
        self.required = required

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            if self.required:
                raise ValueError(_("必填。"))
            return None  # an empty optional choice keeps the current (or default) value
        for code, label in self.choices:
            if text in (str(code), str(label)):
                return code
        raise ValueError(_("“%(value)s”不是有效选项。") % {"value": text[:30]})

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class AmountWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").replace(",", "").strip()
        if not text:
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("“%(value)s”不是有效金额（万元）。") % {"value": text[:30]}) from None
        if amount < 0:
            raise ValueError(_("金额不能为负数。"))
        return amount

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{value:.2f}"


class TextWidget(widgets.CharWidget):
    def __init__(self, *, max_length=200, required=False, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length
        self.required = required

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if text.startswith("="):
            raise ValueError(_("不接受公式，请填写数值或文字。"))
        if self.required and not text:
            raise ValueError(_("必填。"))
        if len(text) > self.max_length:
            raise ValueError(_("超过 %(n)s 个字符。") % {"n": self.max_length})
        return text


class ScopedEnterpriseWidget(widgets.ForeignKeyWidget):
    """The enterprise of a contact or project row, by credit code, among those the importer may change."""

    def __init__(self, user, **kwargs):
        super().__init__(Enterprise, field="credit_code", **kwargs)
        self.user = user

    def clean(self, value, row=None, **kwargs):
        code = normalise_credit_code(value)
        if not code:
            raise ValueError(_("必填。"))
        enterprise = Enterprise.objects.visible_to(self.user).filter(credit_code=code).first()
        if enterprise is None or not can_write(self.user, enterprise):
            raise ValueError(_("找不到统一社会信用代码为 %(code)s 的企业，或您无权修改该企业。") % {"code": code})
        return enterprise

    def render(self, value, obj=None, **kwargs):
        return value.credit_code if value else ""


class ZsResourceMixin:
    """Shared behaviour: required headers, a row limit, Chinese errors, batch tagging, formula-safe export."""

    required_headers = ()

    def __init__(self, *, user=None, batch=None, mode="create", clear=False):
        super().__init__()
        self.user, self.batch, self.mode, self.clear = user, batch, mode, clear
        self.previous_values = {}
        self.row_types = {}

    progress = None  # callable(rows_done) set by clients.excel for a confirmed import

    def import_row(self, row, instance_loader, **kwargs):
        result = super().import_row(row, instance_loader, **kwargs)
        self.row_types[kwargs.get("row_number")] = result.import_type  # for the preview's counts
        if self.progress is not None:
            self.rows_done = getattr(self, "rows_done", 0) + 1
            self.progress(self.rows_done)
        return result

    def before_import(self, dataset, **kwargs):
        headers = [str(h or "").strip() for h in (dataset.headers or [])]
        missing = [h for h in self.required_headers if h not in headers]
        if missing:
            raise ValidationError(
                _("文件缺少以下列：%(cols)s。请下载模板后按模板填写。") % {"cols": join_list(missing)}
            )

    def export_field(self, field, instance, **kwargs):
        return neutralise(super().export_field(field, instance, **kwargs))

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is None and hasattr(instance, "import_batch"):
            instance.import_batch = self.batch


def _f(attribute, header, widget=None):
    widget = widget or TextWidget()
    return fields.Field(
        attribute=attribute,
        column_name=header,
        widget=widget,
        saves_null_values=not isinstance(widget, ChoiceWidget),
    )


class EnterpriseResource(ZsResourceMixin, resources.ModelResource):
    name = _f("name", "企业名称", TextWidget(max_length=200, required=True))
    credit_code = _f("credit_code", "统一社会信用代码", TextWidget(max_length=30))
    industry = _f("industry", "所属行业", ChoiceWidget(Industry.choices))
    region = _f("region", "所在地区", TextWidget(max_length=100))
    registered_capital = _f("registered_capital", "注册资本（万元）", AmountWidget())
    capital_currency = _f("capital_currency", "币种", ChoiceWidget(Currency.choices))
    source = _f("source", "信息来源", ChoiceWidget(Source.choices, required=True))

    required_headers = ("企业名称", "统一社会信用代码", "信息来源")

    class Meta:
        model = Enterprise
        fields = ("name", "credit_code", "industry", "region", "registered_capital", "capital_currency", "source")
        import_id_fields = ("credit_code",)
        clean_model_instances = True
        skip_diff = True

    def get_queryset(self):
        return Enterprise.objects.all()

    def get_instance(self, instance_loader, row):
        code = normalise_credit_code(row.get("统一社会信用代码"))
        if not code:
            return None
        existing = Enterprise.objects.filter(credit_code=code).first()
        if existing is None:
            return None
        if self.mode != "update":
            raise ValidationError(_("统一社会信用代码 %(code)s 已存在；如需更新请选择“更新”模式。") % {"code": code})
        if not (
            Enterprise.objects.visible_to(self.user).filter(pk=existing.pk).exists() and can_write(self.user, existing)
        ):
            raise ValidationError(_("统一社会信用代码 %(code)s 已由他人报备，您无权更新。") % {"code": code})
        return existing

    def after_init_instance(self, instance, new, row, **kwargs):
        if new:
            from .models import Department

            instance.owner = self.user
            instance.reported_by = self.user
            dept_id = user_department_id(self.user)
            instance.department = Department.objects.filter(pk=dept_id).first() if dept_id else None
        else:
            self.previous_values[str(instance.pk)] = {
                name: (str(v) if isinstance(v, Decimal) else v)
                for name, v in ((n, getattr(instance, n)) for n in self._meta.fields)
            }

    def before_save_instance(self, instance, row, **kwargs):
        instance.credit_code = normalise_credit_code(instance.credit_code) or None
        super().before_save_instance(instance, row, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        instance.credit_code = normalise_credit_code(instance.credit_code) or None
        super().validate_instance(instance, import_validation_errors, validate_unique=validate_unique)


# Undo of a contact import: the people it updated are kept in ImportBatch.previous_values under
# "contact:<pk>", beside the enterprises an enterprise import updated (kept under their bare pk).
CONTACT_KEY = "contact:"
CONTACT_RESTORED = ("name", "mobile", "email", "wechat", "mobile_index", "email_index", "position", "source", "purpose")


def contact_snapshot(contact):
    """The stored form of what an import may change on a contact: each encrypted field's token (the
    ciphertext under the person's own key), the blind indexes, the clear fields; and the key's id,
    so a person erased (key shredded) since is never given the old ciphertexts back."""
    fields_ = [Contact._meta.get_field(name) for name in CONTACT_RESTORED]
    stored = Contact._base_manager.filter(pk=contact.pk).values("subject_key_id", *(f.attname for f in fields_)).get()
    snapshot = {"subject_key_id": str(stored["subject_key_id"])}
    for field in fields_:
        value = stored[field.attname]
        snapshot[field.attname] = field.get_prep_value(value) if isinstance(field, EncryptedField) else value
    return snapshot


def contact_restore(pk, snapshot):
    """Put a contact back as `contact_snapshot` found it. False when the person is gone or was
    erased since (another subject key, or none)."""
    contact = Contact.objects.filter(pk=pk).select_related("subject_key").first()
    if contact is None or str(contact.subject_key_id) != snapshot.get("subject_key_id"):
        return False
    if contact.subject_key is None or contact.subject_key.is_shredded:
        return False
    for name in CONTACT_RESTORED:
        field = Contact._meta.get_field(name)
        if field.attname not in snapshot:
            continue
        value = snapshot[field.attname]
        if isinstance(field, EncryptedField) and value:
            value = Sealed(value)  # the stored token, written back as it was
        setattr(contact, field.attname, value)
    contact.save(update_fields=[*CONTACT_RESTORED, "updated_at"])
    return True


class MaskedField(fields.Field):
    def __init__(self, *args, mask, **kwargs):
        super().__init__(*args, **kwargs)
        self.mask = mask


class ContactResource(ZsResourceMixin, resources.ModelResource):
    enterprise = fields.Field(attribute="enterprise", column_name="企业统一社会信用代码")
    name = _f("name", "姓名", TextWidget(max_length=100, required=True))
    mobile = _f("mobile", "手机号", TextWidget(max_length=30))
    email = _f("email", "电子邮箱", TextWidget(max_length=200))
    wechat = _f("wechat", "微信号", TextWidget(max_length=60))
    position = _f("position", "职务", TextWidget(max_length=100))
    source = _f("source", "信息来源", ChoiceWidget(Source.choices, required=True))
    purpose = _f("purpose", "收集用途", ChoiceWidget(CollectionPurpose.choices, required=True))

    required_headers = ("企业统一社会信用代码", "姓名", "信息来源", "收集用途")
    masks = {
        "name": mask_name,
        "mobile": mask_mobile,
        "email": mask_email,
        "wechat": mask_text,
        "id_number": mask_id_number,
    }

    class Meta:
        model = Contact
        fields = ("enterprise", "name", "mobile", "email", "wechat", "position", "source", "purpose")
        import_id_fields = ()
        clean_model_instances = False
        skip_diff = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fields["enterprise"].widget = ScopedEnterpriseWidget(self.user)

    def get_queryset(self):
        return Contact.objects.none()

    def get_instance(self, instance_loader, row):
        """The same person by mobile or e-mail (blind index, clients.people): an existing record in
        the importer's scope is updated, not duplicated; one elsewhere refuses the row, naming only
        the department that holds it."""
        from .people import find_person

        mobile = str(row.get("手机号") or "").strip()
        email = str(row.get("电子邮箱") or "").strip()
        found = find_person(self.user, mobile=mobile, email=email)
        if found.inside:
            contact = found.inside[0]
            if not can_write(self.user, contact.enterprise):
                raise ValidationError(_("该人员已登记（联系人 #%(pk)s），但您无权修改其记录。") % {"pk": contact.pk})
            # What undoing the batch restores (the first sight of the person wins when a file names
            # them twice): ciphertexts and blind indexes as stored, never a clear value.
            self.previous_values.setdefault(f"{CONTACT_KEY}{contact.pk}", contact_snapshot(contact))
            return contact
        if found.outside:
            department = found.outside[0]["department"] or _("其他部门")
            raise ValidationError(
                _("该人员已在「%(dept)s」登记，不能重复导入；如需跟进请在添加联系人页面申请协办。")
                % {"dept": department}
            )
        return None

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        """An update fills in what the row gives: empty cells keep the stored value, and the person
        stays with the enterprise that holds the record."""
        blank = str(row.get(field.column_name) or "").strip() == ""
        if instance.pk is not None and (field.attribute == "enterprise" or blank):
            return
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is None:
            instance.created_by = self.user
        super().before_save_instance(instance, row, **kwargs)

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if not self.clear and field.attribute in self.masks:
            value = self.masks[field.attribute](value)
        return neutralise(value)


class ProjectResource(ZsResourceMixin, resources.ModelResource):
    enterprise = fields.Field(attribute="enterprise", column_name="企业统一社会信用代码")
    title = _f("title", "项目名称", TextWidget(max_length=200, required=True))
    industry = _f("industry", "所属行业", ChoiceWidget(Industry.choices))
    planned_investment = _f("planned_investment", "计划投资额（万元）", AmountWidget())
    currency = _f("currency", "币种", ChoiceWidget(Currency.choices))
    stage = _f("stage", "阶段", ChoiceWidget(Stage.choices))

    required_headers = ("企业统一社会信用代码", "项目名称")

    class Meta:
        model = Project
        fields = ("enterprise", "title", "industry", "planned_investment", "currency", "stage")
        import_id_fields = ()
        force_init_instance = True
        clean_model_instances = True
        skip_diff = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fields["enterprise"].widget = ScopedEnterpriseWidget(self.user)

    def get_queryset(self):
        return Project.objects.none()

    def after_init_instance(self, instance, new, row, **kwargs):
        from .models import Department

        instance.owner = self.user
        dept_id = user_department_id(self.user)
        instance.department = Department.objects.filter(pk=dept_id).first() if dept_id else None

    def before_save_instance(self, instance, row, **kwargs):
        instance.stage = instance.stage or Stage.LEAD
        super().before_save_instance(instance, row, **kwargs)

    def after_save_instance(self, instance, row, **kwargs):
        from .models import StageChange

        if not StageChange.objects.filter(project=instance).exists():
            StageChange.objects.create(project=instance, from_stage="", to_stage=instance.stage, by=self.user)


RESOURCES = {"enterprise": EnterpriseResource, "contact": ContactResource, "project": ProjectResource}

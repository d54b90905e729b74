"""Reading uploaded spreadsheets and running imports and exports through the resources.

Kept apart from views so that a command or a task can run the same import.
"""

import csv
import io

import openpyxl
import tablib
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Contact, Enterprise, ImportBatch, Project
from .resources import RESOURCES, neutralise

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class ImportFileError(ValidationError):
    """The file as a whole cannot be imported; nothing was changed."""


def read_table(data, file_name):
    """Parse xlsx or csv bytes into a tablib Dataset, refusing formulas, oversize and broken files."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError(_("文件超过 10MB，请拆分后再导入。"))
    name = (file_name or "").lower()
    max_rows = settings.CLIENTS_IMPORT_MAX_ROWS
    dataset = tablib.Dataset()
    if name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise ImportFileError(_("无法识别 CSV 文件的编码，请另存为 UTF-8 编码后再导入。")) from None
        rows = list(csv.reader(io.StringIO(text)))
    elif name.endswith(".xlsx"):
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            sheet = workbook.worksheets[0]
            rows = []
            for r, row in enumerate(sheet.iter_rows(), 1):
                values = []
                for cell in row:
                    if getattr(cell, "data_type", None) == "f":
                        raise ImportFileError(_("第 %(row)s 行含有公式，请将公式转换为数值后再导入。") % {"row": r})
                    values.append(cell.value)
                rows.append(values)
                if r > max_rows + 1:
                    break
            workbook.close()
        except ImportFileError:
            raise
        except Exception:  # noqa: BLE001 - any parser failure means a broken or foreign file
            raise ImportFileError(_("无法读取该 Excel 文件，文件可能已损坏或不是 xlsx 格式。")) from None
    else:
        raise ImportFileError(_("只支持 .xlsx 或 .csv 文件。"))
    rows = [r for r in rows if any(v not in (None, "") for v in r)]
    if not rows:
        raise ImportFileError(_("文件是空的。"))
    if len(rows) - 1 > max_rows:
        raise ImportFileError(_("一次最多导入 %(n)s 行，请拆分文件。") % {"n": max_rows})
    headers = [str(h or "").strip() for h in rows[0]]
    dataset.headers = headers
    for row in rows[1:]:
        row = list(row) + [None] * (len(headers) - len(row))
        dataset.append(["" if v is None else v for v in row[: len(headers)]])
    return dataset


def _errors_of(result, resource):
    """Per-row Chinese errors: [(row number in the sheet, [messages])]."""
    column_of = {f.attribute: f.column_name for f in resource.fields.values()}
    out = {}
    for invalid in result.invalid_rows:
        messages = []
        for attr, errs in invalid.field_specific_errors.items():
            messages += [f"{column_of.get(attr, attr)}：{e}" for e in errs]
        messages += list(invalid.non_field_specific_errors)
        out[invalid.number + 1] = messages
    for number, errors in result.row_errors():
        out.setdefault(number + 1, []).append(
            _("该行无法导入（%(kind)s）。") % {"kind": type(errors[0].error).__name__}
        )
    return sorted(out.items())


def import_run(*, user, kind, data, file_name, mode="create", dry_run=True):
    """Import a file. Returns a summary dict; with any error nothing is written (dry run or not)."""
    if not user.has_perm("clients.import_enterprise"):
        raise PermissionDenied
    if kind not in RESOURCES:
        raise ImportFileError(_("未知的导入类型。"))
    dataset = read_table(data, file_name)
    resource_class = RESOURCES[kind]
    missing = [h for h in resource_class.required_headers if h not in dataset.headers]
    if missing:
        raise ImportFileError(_("文件缺少以下列：%(cols)s。请下载模板后按模板填写。") % {"cols": "、".join(missing)})
    with transaction.atomic():
        batch = None
        if not dry_run:
            batch = ImportBatch.objects.create(kind=kind, user=user, file_name=(file_name or "")[:200])
        resource = resource_class(user=user, batch=batch, mode=mode)
        result = resource.import_data(
            dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True
        )
        errors = _errors_of(result, resource)
        if result.base_errors:
            errors.insert(0, (0, [_("文件无法导入。")]))
        totals = {k: result.totals.get(k, 0) for k in ("new", "update", "skip", "invalid", "error")}
        if batch is not None:
            if errors:
                transaction.set_rollback(True)
                batch = None
            else:
                batch.created_count = totals["new"]
                batch.updated_count = totals["update"]
                batch.previous_values = resource.previous_values
                batch.save(update_fields=["created_count", "updated_count", "previous_values"])
    return {"rows": len(dataset), "totals": totals, "errors": errors, "batch": batch}


@transaction.atomic
def import_undo(*, user, batch):
    """Undo a whole import: delete the rows it created, restore the enterprises it updated."""
    if batch.undone_at is not None:
        raise ValidationError(_("该批次已撤销。"))
    if batch.user_id != user.pk and not user.is_superuser:
        raise PermissionDenied
    from django.db.models import ProtectedError

    try:
        Contact.objects.filter(import_batch=batch).delete()
        for project in Project.objects.filter(import_batch=batch):
            project.delete()
        for pk, values in (batch.previous_values or {}).items():
            enterprise = Enterprise.objects.filter(pk=pk).first()
            if enterprise is not None:
                for name, value in values.items():
                    setattr(enterprise, name, value)
                enterprise.save(update_fields=[*values, "updated_at"])
        Enterprise.objects.filter(import_batch=batch).delete()
    except ProtectedError:
        transaction.set_rollback(True)
        raise ValidationError(_("导入后已有新增的项目或联系人关联到这些企业，无法整体撤销，请逐条处理。")) from None
    batch.undone_at = timezone.now()
    batch.undone_by = user
    batch.save(update_fields=["undone_at", "undone_by"])
    return batch


def template_dataset(kind):
    resource = RESOURCES[kind]()
    dataset = tablib.Dataset(headers=resource.get_export_headers())
    return dataset


def export_dataset(*, kind, queryset, clear):
    resource = RESOURCES[kind](clear=clear)
    dataset = resource.export(queryset=queryset)
    # Belt and braces: every cell, headers included, is formula-safe whatever the resource did.
    safe = tablib.Dataset(headers=[neutralise(h) for h in dataset.headers])
    for row in dataset:
        safe.append([neutralise(v) for v in row])
    return safe

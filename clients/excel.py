"""Reading uploaded spreadsheets and running imports and exports through the resources.

Kept apart from views so that a command or a task can run the same import.
"""

import csv
import functools
import io
import logging
import time
from datetime import timedelta
from pathlib import Path

import openpyxl
import tablib
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.core.localized import join_list, label_value

from .models import Contact, Enterprise, ImportBatch, Project
from .resources import CONTACT_KEY, RESOURCES, contact_restore, neutralise

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
logger = logging.getLogger(__name__)


class ImportFileError(ValidationError):
    """The file as a whole cannot be imported; nothing was changed."""


def _column_letter(index):
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def read_table(data, file_name):
    """Parse xlsx or csv bytes into a tablib Dataset, refusing oversize and broken files.

    Every formula cell is refused on its own, with its row and column, and the reading goes on:
    `dataset.cell_errors` maps a sheet row number to its messages (the cell is read as empty), so
    one pass reports every error of the file. `dataset.sheet_rows[i]` is the sheet row number of
    data row i (1-based): blank rows are dropped, the numbers shown stay those of the sheet.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError(_("文件超过 10MB，请拆分后再导入。"))
    name = (file_name or "").lower()
    max_rows = settings.CLIENTS_IMPORT_MAX_ROWS
    dataset = tablib.Dataset()
    formulas = []  # (sheet row, column) of every formula cell
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
                for c, cell in enumerate(row, 1):
                    if getattr(cell, "data_type", None) == "f":
                        formulas.append((r, c))
                        values.append(None)
                    else:
                        values.append(cell.value)
                rows.append(values)
                if r > max_rows + 1:
                    break
            workbook.close()
        except Exception:  # noqa: BLE001 - any parser failure means a broken or foreign file
            raise ImportFileError(_("无法读取该 Excel 文件，文件可能已损坏或不是 xlsx 格式。")) from None
    else:
        raise ImportFileError(_("只支持 .xlsx 或 .csv 文件。"))
    formula_rows = {r for r, _c in formulas}
    numbered = [(n, r) for n, r in enumerate(rows, 1) if n in formula_rows or any(v not in (None, "") for v in r)]
    if not numbered:
        raise ImportFileError(_("文件是空的。"))
    if len(numbered) - 1 > max_rows:
        raise ImportFileError(_("一次最多导入 %(n)s 行，请拆分文件。") % {"n": max_rows})
    header_row, header_values = numbered[0]
    headers = [str(h or "").strip() for h in header_values]
    dataset.headers = headers
    dataset.sheet_rows = {}
    dataset.cell_errors = {}
    for r, c in formulas:
        if r == header_row:
            raise ImportFileError(_("表头（第 %(row)s 行）含有公式，请按模板填写表头。") % {"row": r})
        header = headers[c - 1] if c <= len(headers) else ""
        dataset.cell_errors.setdefault(r, []).append(
            _("%(col)s 列（%(header)s）含有公式，请将公式转换为数值后再导入。")
            % {"col": _column_letter(c), "header": header or "—"}
        )
    for i, (sheet_row, row) in enumerate(numbered[1:], 1):
        row = list(row) + [None] * (len(headers) - len(row))
        dataset.append(["" if v is None else v for v in row[: len(headers)]])
        dataset.sheet_rows[i] = sheet_row
    return dataset


def _errors_of(result, resource, dataset):
    """Every row error of the file in one list, Chinese: [(sheet row number, [messages])]. The
    formula cells found on reading come first in their row, then the resource's own errors."""
    column_of = {f.attribute: f.column_name for f in resource.fields.values()}
    sheet_row = getattr(dataset, "sheet_rows", {})
    out = {r: list(messages) for r, messages in getattr(dataset, "cell_errors", {}).items()}
    for invalid in result.invalid_rows:
        messages = []
        for attr, errs in invalid.field_specific_errors.items():
            messages += [label_value(column_of.get(attr, attr), e) for e in errs]
        messages += list(invalid.non_field_specific_errors)
        out.setdefault(sheet_row.get(invalid.number, invalid.number + 1), []).extend(messages)
    for number, errors in result.row_errors():
        out.setdefault(sheet_row.get(number, number + 1), []).append(
            _("该行无法导入（%(kind)s）。") % {"kind": type(errors[0].error).__name__}
        )
    return sorted(out.items())


def _totals(resource, dataset, errors):
    """Counts that add up to the rows of the file: a row with any error is counted once, as invalid."""
    refused = {number for number, _messages in errors if number}
    sheet_row = getattr(dataset, "sheet_rows", {})
    totals = dict.fromkeys(("new", "update", "skip", "invalid", "error"), 0)
    for i in range(1, len(dataset) + 1):
        if sheet_row.get(i, i + 1) in refused:
            totals["invalid"] += 1
        else:
            kind = resource.row_types.get(i, "skip")
            totals[kind if kind in totals else "error"] += 1
    return totals


def import_run(*, user, kind, data, file_name, mode="create", dry_run=True, batch=None, progress=None):
    """Import a file. Returns a summary dict; with any error nothing is written (dry run or not).

    `batch`: an existing (running) ImportBatch to fill in, from `import_execute`; otherwise a real
    run creates one. `progress(rows_done)` is called after each row of a real run.
    """
    if not user.has_perm("clients.import_enterprise"):
        raise PermissionDenied
    if kind not in RESOURCES:
        raise ImportFileError(_("未知的导入类型。"))
    dataset = read_table(data, file_name)
    resource_class = RESOURCES[kind]
    missing = [h for h in resource_class.required_headers if h not in dataset.headers]
    if missing:
        raise ImportFileError(_("文件缺少以下列：%(cols)s。请下载模板后按模板填写。") % {"cols": join_list(missing)})
    with transaction.atomic():
        if dry_run:
            batch = None
        elif batch is None:
            batch = ImportBatch.objects.create(
                kind=kind, user=user, file_name=(file_name or "")[:200], mode=mode, status=ImportBatch.Status.RUNNING
            )
        resource = resource_class(user=user, batch=batch, mode=mode)
        resource.progress = None if dry_run else progress
        result = resource.import_data(
            dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True
        )
        errors = _errors_of(result, resource, dataset)
        totals = _totals(resource, dataset, errors)
        if result.base_errors:
            errors.insert(0, (0, [_("文件无法导入。")]))
        if batch is not None:
            if errors:
                transaction.set_rollback(True)
                batch = None
            else:
                batch.created_count = totals["new"]
                batch.updated_count = totals["update"]
                batch.previous_values = resource.previous_values
                batch.status = ImportBatch.Status.DONE
                batch.total_rows = batch.done_rows = len(dataset)
                batch.finished_at = timezone.now()
                batch.save(
                    update_fields=[
                        "created_count",
                        "updated_count",
                        "previous_values",
                        "status",
                        "total_rows",
                        "done_rows",
                        "finished_at",
                    ]
                )
    sheet_row = getattr(dataset, "sheet_rows", {})
    updated_rows = sorted(sheet_row.get(i, i + 1) for i, kind in resource.row_types.items() if kind == "update")
    refused = {number for number, _messages in errors}
    updated_rows = [r for r in updated_rows if r not in refused]
    return {"rows": len(dataset), "totals": totals, "errors": errors, "batch": batch, "updated_rows": updated_rows}


@transaction.atomic
def import_undo(*, user, batch):
    """Undo a whole import: delete the rows it created, restore the enterprises and the people it
    updated (a person erased since stays erased)."""
    if batch.undone_at is not None:
        raise ValidationError(_("该批次已撤销。"))
    if batch.status != ImportBatch.Status.DONE:
        raise ValidationError(_("该批次未成功导入，没有可撤销的数据。"))
    if batch.user_id != user.pk and not user.is_superuser:
        raise PermissionDenied
    from django.db.models import ProtectedError

    try:
        Contact.objects.filter(import_batch=batch).delete()
        for project in Project.objects.filter(import_batch=batch):
            project.delete()
        for key, values in (batch.previous_values or {}).items():
            if key.startswith(CONTACT_KEY):
                contact_restore(int(key.removeprefix(CONTACT_KEY)), values)
                continue
            enterprise = Enterprise.objects.filter(pk=key).first()
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


# [N] Sheet names in the reader's language (tablib would name every sheet "Tablib Dataset").
# Excel allows 31 characters and none of []:*?/\ in a sheet name.
SHEET_TITLES = {
    "enterprise": gettext_lazy("企业"),
    "contact": gettext_lazy("联系人"),
    "project": gettext_lazy("项目"),
}


def sheet_title(kind, suffix=None):
    title = str(SHEET_TITLES.get(kind, kind)) + (f" - {suffix}" if suffix else "")
    return "".join(ch for ch in title if ch not in "[]:*?/\\")[:31]


def template_dataset(kind):
    resource = RESOURCES[kind]()
    dataset = tablib.Dataset(headers=resource.get_export_headers(), title=sheet_title(kind, _("导入模板")))
    return dataset


def export_dataset(*, kind, queryset, clear):
    resource = RESOURCES[kind](clear=clear)
    dataset = resource.export(queryset=queryset)
    # Belt and braces: every cell, headers included, is formula-safe whatever the resource did.
    safe = tablib.Dataset(headers=[neutralise(h) for h in dataset.headers], title=sheet_title(kind))
    for row in dataset:
        safe.append([neutralise(v) for v in row])
    return safe


# --- Background import: a confirmed preview runs as a Celery task and reports its progress ---------
#
# All or nothing: the whole import runs in ONE database transaction (import_run); any row error, a
# vanished spool file or a crash rolls everything back, and the batch is then marked failed with a
# Chinese message in autocommit. There is no compensating undo to go wrong half-way, and no other
# user ever sees half an import. Progress cannot be written inside that transaction (nobody else
# would see it), so on PostgreSQL it is written to the batch row through a second, autocommit
# connection: the import transaction never touches the batch row until its very last statement, so
# the two never wait on each other. On SQLite (a first look, tasks inline) progress is written once,
# at the end.

SPOOL_DIR_NAME = "import_spool"
SPOOL_MAX_AGE_SECONDS = 3600  # an unconfirmed preview is swept after an hour
SPOOL_QUEUED_MAX_AGE = timedelta(days=7)  # the file of a confirmed import still waiting to run, at most
PROGRESS_EVERY_ROWS = 100
PROGRESS_EVERY_SECONDS = 1.0
STALE_AFTER = timedelta(minutes=30)  # a "running" batch this old was lost with its worker: run it again


def spool_dir():
    """Where previews wait for their confirmation (encrypted, see privacy.files)."""
    path = Path(settings.MEDIA_ROOT) / SPOOL_DIR_NAME
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _spool_path(token):
    if not token or not all(c.isalnum() or c in "-_" for c in token):
        return None
    return spool_dir() / f"{token}.bin"


def spool_read(token, key):
    """The plaintext of a spooled preview, or None when it is gone or cannot be opened."""
    from privacy import files
    from privacy.crypto import DecryptionError

    path = _spool_path(token)
    if path is None:
        return None
    try:
        return files.decrypt_transient(path.read_bytes(), key=key, purpose=files.IMPORT_SPOOL)
    except (FileNotFoundError, DecryptionError):
        return None


def spool_discard(token):
    path = _spool_path(token)
    if path is not None:
        path.unlink(missing_ok=True)


def spool_sweep(*, now=None):
    """Delete spooled previews older than SPOOL_MAX_AGE_SECONDS; returns how many.

    A preview never confirmed lingers otherwise until its importer's next upload. Files of confirmed
    imports that have not finished (queued, running, or not started for want of the broker and
    waiting for a retry) are kept -- their task deletes them -- but not past SPOOL_QUEUED_MAX_AGE.
    Run by the periodic job `clients.tasks.sweep_import_spool` (and `manage.py sweep_import_spool`).
    """
    now = now or timezone.now()
    waiting = set(
        ImportBatch.objects.filter(
            status__in=[ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING, ImportBatch.Status.NOT_STARTED],
            created_at__gt=now - SPOOL_QUEUED_MAX_AGE,
        )
        .exclude(spool_token="")
        .values_list("spool_token", flat=True)
    )
    cutoff = now.timestamp() - SPOOL_MAX_AGE_SECONDS
    removed = 0
    for path in spool_dir().glob("*.bin"):
        try:
            old = path.stat().st_mtime < cutoff
        except FileNotFoundError:
            continue
        if old and path.stem not in waiting:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


class _Progress:
    """Writes rows done to the batch row from outside the import's transaction (PostgreSQL only)."""

    def __init__(self, batch_id):
        self.batch_id = batch_id
        self.connection = None
        self.enabled = connections[DEFAULT_DB_ALIAS].vendor == "postgresql"
        self.written_at = 0.0
        self.written_rows = 0

    def __call__(self, rows_done):
        if not self.enabled:
            return
        now = time.monotonic()
        if rows_done - self.written_rows < PROGRESS_EVERY_ROWS and now - self.written_at < PROGRESS_EVERY_SECONDS:
            return
        if self.connection is None:
            self.connection = connections.create_connection(DEFAULT_DB_ALIAS)  # autocommit, its own session
        table = self.connection.ops.quote_name(ImportBatch._meta.db_table)
        with self.connection.cursor() as cursor:
            sql = f"UPDATE {table} SET done_rows = %s WHERE id = %s"  # noqa: S608 - table name from the model
            cursor.execute(sql, [rows_done, self.batch_id])
        self.written_at, self.written_rows = now, rows_done

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


@transaction.atomic
def import_enqueue(*, user, kind, token, key, file_name, mode, total_rows):
    """Queue the confirmed import of a spooled, validated preview; the task runs after commit."""
    from zhaoshang.core.tasks import enqueue

    from .tasks import run_import

    if not user.has_perm("clients.import_enterprise"):
        raise PermissionDenied
    if kind not in RESOURCES:
        raise ImportFileError(_("未知的导入类型。"))
    batch = ImportBatch.objects.create(
        kind=kind,
        user=user,
        file_name=(file_name or "")[:200],
        mode=mode if mode in ("create", "update") else "create",
        status=ImportBatch.Status.QUEUED,
        total_rows=max(0, int(total_rows or 0)),
        spool_token=token,
        spool_key=key or "",
    )
    enqueue(run_import, batch.pk, on_failure=functools.partial(_mark_not_started, batch.pk))
    return batch


def _mark_not_started(batch_id):
    """The broker did not take the task: the batch (and its spool) stay, shown as "not started"."""
    ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.QUEUED).update(
        status=ImportBatch.Status.NOT_STARTED
    )


@transaction.atomic
def import_retry(*, user, batch):
    """Send again the task of an import the broker did not take (status "not started")."""
    from zhaoshang.core.tasks import enqueue

    from .tasks import run_import

    if batch.user_id != user.pk or not user.has_perm("clients.import_enterprise"):
        raise PermissionDenied
    requeued = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.NOT_STARTED).update(
        status=ImportBatch.Status.QUEUED
    )
    if not requeued:
        raise ImportFileError(_("该导入已在处理或已结束，无需重试。"))
    enqueue(run_import, batch.pk, on_failure=functools.partial(_mark_not_started, batch.pk))


def _finish_failed(batch_id, started_at, message, row_errors=()):
    # Only the run that claimed the batch at `started_at` may mark it failed (not a stale duplicate).
    ImportBatch.objects.filter(pk=batch_id, started_at=started_at).update(
        status=ImportBatch.Status.FAILED,
        finished_at=timezone.now(),
        error_message=message,
        row_errors=[[number, list(messages)] for number, messages in list(row_errors)[:50]],
        done_rows=0,
        spool_token="",
        spool_key="",
    )


def import_execute(*, batch_id):
    """Run a queued import (the body of clients.tasks.run_import). Idempotent.

    Only a queued batch (or a running one abandoned longer than STALE_AFTER by a lost worker, whose
    transaction was rolled back with it) is claimed; a finished or failed batch is left alone, so a
    redelivered task does nothing. Returns the batch, or None when there was nothing to do.
    """
    from audit.access import record_access

    now = timezone.now()
    claimed = (
        ImportBatch.objects.filter(pk=batch_id)
        .filter(
            Q(status=ImportBatch.Status.QUEUED) | Q(status=ImportBatch.Status.RUNNING, started_at__lt=now - STALE_AFTER)
        )
        .update(status=ImportBatch.Status.RUNNING, started_at=now, done_rows=0)
    )
    if not claimed:
        return None
    batch = ImportBatch.objects.select_related("user").get(pk=batch_id)
    token = batch.spool_token
    data = spool_read(token, batch.spool_key)
    if data is None:
        spool_discard(token)
        _finish_failed(
            batch_id, now, _("导入文件已失效（预览超过一小时未处理或已被清理），没有写入任何数据，请重新上传。")
        )
        return batch
    progress = _Progress(batch_id)
    try:
        outcome = import_run(
            user=batch.user,
            kind=batch.kind,
            data=data,
            file_name=batch.file_name,
            mode=batch.mode,
            dry_run=False,
            batch=batch,
            progress=progress,
        )
    except ImportFileError as exc:
        outcome = {"batch": None, "errors": [(0, exc.messages)]}
    except PermissionDenied:
        outcome = {"batch": None, "errors": [(0, [_("您已没有导入权限。")])]}
    except Exception:  # rolled back already; the user needs a message, not a bar stuck at "running"
        logger.exception("Import batch %s failed", batch_id)
        outcome = {"batch": None, "errors": [(0, [_("导入时发生系统错误。")])]}
    finally:
        progress.close()
        spool_discard(token)
    if outcome["batch"] is None:
        _finish_failed(batch_id, now, _("导入未完成，没有写入任何数据。"), outcome["errors"])
        batch.refresh_from_db()
        return batch
    ImportBatch.objects.filter(pk=batch_id).update(spool_token="", spool_key="")
    record_access(
        batch.user,
        "import",
        batch,
        row_count=batch.total_rows,
        detail={"kind": batch.kind, "batch": batch.pk},
    )
    batch.refresh_from_db()
    return batch

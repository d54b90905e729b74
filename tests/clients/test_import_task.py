"""The confirmed Excel import runs as a Celery task: progress on the batch row, all or nothing, idempotent,
an htmx-polled progress fragment, and oversized files refused before anything is queued."""

import csv
import io
import secrets

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clients import excel
from clients.excel import ImportFileError, import_enqueue, import_execute, import_run, import_undo, spool_dir
from clients.models import Enterprise, ImportBatch
from clients.tasks import run_import
from privacy import files

from .conftest import credit_code
from .test_excel import ENTERPRISE_HEADERS, xlsx


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _spool(data):
    key = files.new_transient_key()
    token = secrets.token_urlsafe(24)
    (spool_dir() / f"{token}.bin").write_bytes(files.encrypt_transient(data, key=key, purpose=files.IMPORT_SPOOL))
    return token, key


def _queue(user, rows, *, mode="create"):
    token, key = _spool(xlsx(ENTERPRISE_HEADERS, rows))
    return import_enqueue(
        user=user, kind="enterprise", token=token, key=key, file_name="t.xlsx", mode=mode, total_rows=len(rows)
    )


def _rows(n):
    return [[f"任务导入公司{i}", credit_code(), "", "", "", "", "展会"] for i in range(n)]


def test_task_imports_everything_and_records_progress_and_outcome(officer1):
    batch = _queue(officer1, _rows(3))
    assert (batch.status, batch.done_rows, batch.total_rows) == ("queued", 0, 3)
    run_import(batch.pk)  # the task function, as a worker runs it
    batch.refresh_from_db()
    assert (batch.status, batch.done_rows, batch.total_rows, batch.percent) == ("done", 3, 3, 100)
    assert batch.created_count == 3 and batch.started_at and batch.finished_at
    assert Enterprise.objects.filter(import_batch=batch).count() == 3
    assert batch.spool_token == "" and batch.spool_key == ""  # the key does not outlive the task
    assert not list(spool_dir().glob("*.bin"))


def test_task_is_idempotent(officer1):
    batch = _queue(officer1, _rows(2))
    assert import_execute(batch_id=batch.pk).status == "done"
    assert import_execute(batch_id=batch.pk) is None  # a redelivered task finds nothing to do
    assert Enterprise.objects.count() == 2


def test_a_failing_row_leaves_nothing_changed_and_says_why_in_chinese(officer1, officer2, make_enterprise, client_for):
    rows = _rows(3)
    batch = _queue(officer1, rows)
    make_enterprise(officer2, credit_code=rows[2][1])  # someone reports the same company after the preview
    run_import(batch.pk)
    batch.refresh_from_db()
    assert batch.status == "failed" and "没有写入任何数据" in batch.error_message
    assert batch.row_errors[0][0] == 4 and "已存在" in "".join(batch.row_errors[0][1])
    assert Enterprise.objects.count() == 1  # the first two rows were rolled back with the third
    assert not list(spool_dir().glob("*.bin")) and batch.spool_key == ""
    body = client_for(officer1).get(reverse("clients:import_progress", args=[batch.pk])).content.decode()
    assert "没有写入任何数据" in body and "第 4 行" in body and "hx-trigger" not in body
    with pytest.raises(ValidationError, match="没有可撤销的数据"):
        import_undo(user=officer1, batch=batch)


def test_a_lost_spool_file_fails_cleanly(officer1):
    batch = _queue(officer1, _rows(1))
    (spool_dir() / f"{batch.spool_token}.bin").unlink()
    run_import(batch.pk)
    batch.refresh_from_db()
    assert batch.status == "failed" and "导入文件已失效" in batch.error_message
    assert not Enterprise.objects.exists()


def test_a_wrong_key_cannot_read_the_spool(officer1):
    batch = _queue(officer1, _rows(1))
    ImportBatch.objects.filter(pk=batch.pk).update(spool_key=files.new_transient_key())
    run_import(batch.pk)
    assert ImportBatch.objects.get(pk=batch.pk).status == "failed" and not Enterprise.objects.exists()


def test_progress_fragment_polls_while_running_and_stops_when_finished(officer1, officer2, client_for):
    batch = ImportBatch.objects.create(kind="enterprise", user=officer1, status="running", total_rows=200, done_rows=50)
    url = reverse("clients:import_progress", args=[batch.pk])
    body = client_for(officer1).get(url).content.decode()
    assert f'hx-get="{url}"' in body and 'hx-trigger="every 1s"' in body
    assert 'value="25"' in body and "已处理 50 / 200 行" in body
    page = client_for(officer1).get(reverse("clients:import_batch", args=[batch.pk])).content.decode()
    assert f'hx-get="{url}"' in page and "<script" not in page.split('id="import-progress"')[1].split("</div>")[0]
    ImportBatch.objects.filter(pk=batch.pk).update(status="done", done_rows=200, created_count=200)
    done = client_for(officer1).get(url).content.decode()
    assert "hx-get" not in done and "导入完成：新增 200 条" in done
    assert client_for(officer2).get(url).status_code == 404  # someone else's import


def test_confirmed_import_through_the_pages_shows_its_progress_page(
    officer1, client_for, django_capture_on_commit_callbacks
):
    client = client_for(officer1)
    url = reverse("clients:import_upload", args=["enterprise"])
    upload = io.BytesIO(xlsx(ENTERPRISE_HEADERS, _rows(2)))
    upload.name = "p.xlsx"
    token = client.post(url, {"file": upload, "mode": "create"}).context["token"]
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url, {"token": token}, follow=True)
    batch = ImportBatch.objects.get()
    assert len(callbacks) == 1 and batch.total_rows == 2
    assert "排队中" in response.content.decode()
    # replaying the confirmation does not queue the import twice
    assert client.post(url, {"token": token}).status_code == 302 and ImportBatch.objects.count() == 1


def _csv(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ENTERPRISE_HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_a_50k_row_file_is_refused_with_a_clear_message_and_nothing_is_queued(officer1, client_for, settings):
    assert settings.CLIENTS_IMPORT_MAX_ROWS == 5000  # the documented default; the cap stays
    rows = [[f"公司{i}", "", "", "", "", "", "展会"] for i in range(50_000)]
    with pytest.raises(ImportFileError) as exc:
        import_run(user=officer1, kind="enterprise", data=_csv(rows), file_name="big.csv")
    assert "一次最多导入 5000 行" in exc.value.messages[0]

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(ENTERPRISE_HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "big.xlsx"
    response = client_for(officer1).post(
        reverse("clients:import_upload", args=["enterprise"]), {"file": buffer, "mode": "create"}
    )
    assert response.status_code == 200 and "一次最多导入 5000 行" in response.content.decode()
    assert "token" not in response.context
    assert not ImportBatch.objects.exists() and not Enterprise.objects.exists()
    assert not list(spool_dir().glob("*.bin"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_progress_is_visible_to_other_sessions_while_the_import_runs(org, monkeypatch):
    """The import's own transaction is still open while the polling page reads the batch row."""
    officer1 = org["officer1"]
    token, key = _spool(xlsx(ENTERPRISE_HEADERS, _rows(5)))
    batch = ImportBatch.objects.create(
        kind="enterprise", user=officer1, file_name="t.xlsx", total_rows=5, spool_token=token, spool_key=key
    )
    monkeypatch.setattr(excel, "PROGRESS_EVERY_ROWS", 1)
    seen = []
    original = excel._Progress.__call__

    def spy(self, rows_done):
        original(self, rows_done)
        seen.append(
            (
                ImportBatch.objects.values_list("done_rows", flat=True).get(pk=batch.pk),
                Enterprise.objects.count(),  # inside the import's transaction: its own rows
            )
        )

    monkeypatch.setattr(excel._Progress, "__call__", spy)
    run_import(batch.pk)
    assert [done for done, _count in seen] == [1, 2, 3, 4, 5]
    batch.refresh_from_db()
    assert (batch.status, batch.done_rows, batch.created_count) == ("done", 5, 5)

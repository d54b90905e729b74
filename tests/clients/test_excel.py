"""Excel import (template, dry run, Chinese row errors, bad files, undo) and export (scope, masks, formulas)."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from audit.models import AccessEvent
from clients import services
from clients.excel import ImportFileError, import_run, import_undo
from clients.models import Contact, Enterprise, ImportBatch
from clients.tasks import run_import

from .conftest import credit_code

ENTERPRISE_HEADERS = ["企业名称", "统一社会信用代码", "所属行业", "所在地区", "注册资本（万元）", "币种", "信息来源"]


def xlsx(headers, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_template_has_chinese_headers(officer1, client_for):
    response = client_for(officer1).get(reverse("clients:import_template", args=["enterprise"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == ENTERPRISE_HEADERS


def test_dry_run_changes_nothing_and_real_run_imports(officer1):
    data = xlsx(ENTERPRISE_HEADERS, [["甲公司", credit_code(), "制造业", "杭州", "1000", "人民币", "展会"]])
    preview = import_run(user=officer1, kind="enterprise", data=data, file_name="a.xlsx")
    assert preview["errors"] == [] and preview["totals"]["new"] == 1
    assert not Enterprise.objects.exists()
    done = import_run(user=officer1, kind="enterprise", data=data, file_name="a.xlsx", dry_run=False)
    enterprise = Enterprise.objects.get()
    assert enterprise.owner == officer1 and enterprise.industry == "C" and enterprise.import_batch == done["batch"]


def test_row_errors_are_in_chinese_and_nothing_is_written(officer1):
    rows = [
        ["好公司", credit_code(), "制造业", "", "100", "人民币", "展会"],
        ["坏公司", "91350100M000100Y44", "不存在的行业", "", "很多", "人民币", "展会"],
    ]
    outcome = import_run(
        user=officer1, kind="enterprise", data=xlsx(ENTERPRISE_HEADERS, rows), file_name="b.xlsx", dry_run=False
    )
    assert outcome["batch"] is None
    assert not Enterprise.objects.exists() and not ImportBatch.objects.exists()
    ((row_number, messages),) = outcome["errors"]
    assert row_number == 3  # the sheet row, header being row 1
    text = "；".join(messages)
    assert "统一社会信用代码" in text and "校验位" in text
    assert "所属行业" in text and "不是有效选项" in text
    assert "不是有效金额" in text


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"PK\x03\x04 not really a zip", "broken.xlsx", "无法读取"),
        (b"", "empty.xlsx", "无法读取"),
        (b"a,b\n1,2\n", "wrong.csv", "缺少以下列"),
        (b"whatever", "notes.txt", "只支持"),
    ],
)
def test_bad_files_get_a_clear_message(officer1, data, name, message):
    with pytest.raises(ImportFileError) as exc:
        import_run(user=officer1, kind="enterprise", data=data, file_name=name)
    assert message in exc.value.messages[0]


def test_formulas_in_the_file_are_refused(officer1):
    data = xlsx(ENTERPRISE_HEADERS, [['=HYPERLINK("http://x")', credit_code(), "", "", "", "", "展会"]])
    outcome = import_run(user=officer1, kind="enterprise", data=data, file_name="f.xlsx", dry_run=False)
    assert outcome["batch"] is None and not Enterprise.objects.exists()
    ((row, messages),) = outcome["errors"]
    assert row == 2 and "A 列（企业名称）含有公式" in messages[0]


def test_too_many_rows_is_refused(officer1, settings):
    settings.CLIENTS_IMPORT_MAX_ROWS = 3
    rows = [[f"公司{i}", "", "", "", "", "", "展会"] for i in range(5)]
    with pytest.raises(ImportFileError) as exc:
        import_run(user=officer1, kind="enterprise", data=xlsx(ENTERPRISE_HEADERS, rows), file_name="big.xlsx")
    assert "最多导入 3 行" in exc.value.messages[0]


def test_update_mode_matches_credit_code_and_undo_restores(officer1, make_enterprise):
    existing = make_enterprise(officer1, name="旧名称有限公司", region="宁波")
    new_code = credit_code()
    rows = [
        ["新名称有限公司", existing.credit_code, "", "杭州", "", "", "展会"],
        ["新增公司", new_code, "", "", "", "", "展会"],
    ]
    data = xlsx(ENTERPRISE_HEADERS, rows)
    refused = import_run(user=officer1, kind="enterprise", data=data, file_name="u.xlsx", mode="create")
    assert "已存在" in "".join(refused["errors"][0][1])
    done = import_run(user=officer1, kind="enterprise", data=data, file_name="u.xlsx", mode="update", dry_run=False)
    existing.refresh_from_db()
    assert existing.name == "新名称有限公司" and Enterprise.objects.filter(credit_code=new_code).exists()
    import_undo(user=officer1, batch=done["batch"])
    existing.refresh_from_db()
    assert existing.name == "旧名称有限公司" and existing.region == "宁波"
    assert not Enterprise.objects.filter(credit_code=new_code).exists()


def test_contact_import_records_source_and_purpose_only_for_writable_enterprises(officer1, officer2, make_enterprise):
    mine, theirs = make_enterprise(officer1), make_enterprise(officer2)
    headers = ["企业统一社会信用代码", "姓名", "手机号", "电子邮箱", "微信号", "职务", "信息来源", "收集用途"]
    ok = xlsx(headers, [[mine.credit_code, "赵六", "13700001111", "", "", "总经理", "展会", "招商服务联络"]])
    import_run(user=officer1, kind="contact", data=ok, file_name="c.xlsx", dry_run=False)
    contact = Contact.objects.get()
    assert (contact.source, contact.purpose, contact.mobile) == ("fair", "investment_liaison", "13700001111")
    bad = xlsx(headers, [[theirs.credit_code, "钱七", "", "", "", "", "展会", "招商服务联络"]])
    outcome = import_run(user=officer1, kind="contact", data=bad, file_name="c.xlsx", dry_run=False)
    assert "无权修改" in "".join(outcome["errors"][0][1])


def test_export_is_scoped_masked_formula_safe_and_logged(officer1, officer2, make_enterprise, client_for):
    enterprise = make_enterprise(officer1, name="=cmd|'/C calc'!A0")
    make_enterprise(officer2, name="别人的公司")
    services.contact_create(
        user=officer1,
        enterprise=enterprise,
        name="+孙八",
        mobile="13600002222",
        source="client",
        purpose="investment_liaison",
    )
    client = client_for(officer1)
    response = client.get(reverse("clients:export", args=["enterprise"]), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "企业名称"
    assert [r[0] for r in rows[1:]] == ["'=cmd|'/C calc'!A0"]
    contacts = client.get(reverse("clients:export", args=["contact"]), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(contacts.content)).active
    values = [c.value for c in sheet[2]]
    assert "136****2222" in values and "13600002222" not in values
    assert all(not str(v).startswith(("=", "+", "-", "@")) for v in values if v)
    events = AccessEvent.objects.filter(action="export").order_by("pk")
    assert [(e.row_count, e.detail["kind"]) for e in events] == [(1, "enterprise"), (1, "contact")]
    assert events[1].subjects.count() == 1


def test_clear_export_needs_permission(officer1, head1, make_enterprise, client_for):
    enterprise = make_enterprise(officer1)
    services.contact_create(
        user=officer1,
        enterprise=enterprise,
        name="周九",
        mobile="13500003333",
        source="client",
        purpose="investment_liaison",
    )
    url = reverse("clients:export", args=["contact"])
    assert client_for(officer1).get(url, {"clear": "1"}).status_code == 403
    response = client_for(head1).get(url, {"clear": "1", "format": "csv"})
    assert "13500003333" in response.content.decode("utf-8-sig")
    assert AccessEvent.objects.get(action="export").detail["clear_values"] is True


def test_upload_preview_then_confirm_through_the_pages(
    officer1, client_for, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(officer1)
    url = reverse("clients:import_upload", args=["enterprise"])
    data = xlsx(ENTERPRISE_HEADERS, [["页面导入公司", credit_code(), "", "", "", "", "展会"]])
    upload = io.BytesIO(data)
    upload.name = "p.xlsx"
    preview = client.post(url, {"file": upload, "mode": "create"})
    assert preview.status_code == 200 and not Enterprise.objects.exists()
    token = preview.context["token"]
    with django_capture_on_commit_callbacks() as callbacks:
        done = client.post(url, {"token": token})
    batch = ImportBatch.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("clients:import_batch", args=[batch.pk])
    assert len(callbacks) == 1 and batch.status == "queued" and not Enterprise.objects.exists()
    run_import(batch.pk)  # the Celery task, run here as a worker would
    assert Enterprise.objects.filter(name="页面导入公司").exists()
    assert AccessEvent.objects.filter(action="import", row_count=1).exists()
    assert not list((tmp_path / "import_spool").glob("*.bin"))  # the spooled file is gone once imported


def test_unconfirmed_previews_do_not_linger(officer1, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(officer1)
    url = reverse("clients:import_upload", args=["enterprise"])
    for _ in range(3):
        upload = io.BytesIO(xlsx(ENTERPRISE_HEADERS, [["预览公司", credit_code(), "", "", "", "", "展会"]]))
        upload.name = "p.xlsx"
        assert client.post(url, {"file": upload, "mode": "create"}).status_code == 200
    assert len(list((tmp_path / "import_spool").glob("*.bin"))) == 1


def test_excel_sheets_are_named_in_the_readers_language(client_for, officer1, make_enterprise, settings):
    """[N] No "Tablib Dataset": the export's and the template's sheets are named for what they hold."""
    make_enterprise(officer1)
    client = client_for(officer1)
    export = client.get(reverse("clients:export", args=["enterprise"]))
    assert openpyxl.load_workbook(io.BytesIO(export.content)).sheetnames == ["企业"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    template = client.get(reverse("clients:import_template", args=["contact"]))
    assert openpyxl.load_workbook(io.BytesIO(template.content)).sheetnames == ["Contact - Import template"]

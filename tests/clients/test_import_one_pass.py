"""Excel import: every row error of the file in one pass (formula cells each with row and column),
counts that add up, and contacts matched on mobile or e-mail updated instead of duplicated."""

from django.urls import reverse

from clients import services
from clients.excel import import_run
from clients.models import Contact, Enterprise

from .conftest import credit_code
from .test_excel import ENTERPRISE_HEADERS, xlsx

CONTACT_HEADERS = ["企业统一社会信用代码", "姓名", "手机号", "电子邮箱", "微信号", "职务", "信息来源", "收集用途"]


def test_every_row_error_and_every_formula_cell_in_one_pass(officer1):
    rows = [
        ["好公司", credit_code(), "制造业", "", "100", "人民币", "展会"],  # row 2: fine
        ["=1+1", credit_code(), "制造业", "", "=2*3", "人民币", "展会"],  # row 3: two formulas
        ["坏公司", "91350100M000100Y44", "不存在的行业", "", "", "人民币", "展会"],  # row 4: two errors
        [],  # row 5: blank, dropped
        ["又一个", credit_code(), "", "", "很多", "人民币", "=A1"],  # row 6: amount and a formula
    ]
    outcome = import_run(user=officer1, kind="enterprise", data=xlsx(ENTERPRISE_HEADERS, rows), file_name="m.xlsx")
    errors = dict(outcome["errors"])
    assert sorted(errors) == [3, 4, 6]
    assert "A 列（企业名称）含有公式" in errors[3][0] and "E 列（注册资本（万元））含有公式" in errors[3][1]
    assert any("所属行业" in m for m in errors[4]) and any("统一社会信用代码" in m for m in errors[4])
    assert any("G 列（信息来源）含有公式" in m for m in errors[6]) and any("不是有效金额" in m for m in errors[6])
    assert outcome["rows"] == 4
    assert outcome["totals"]["new"] == 1 and outcome["totals"]["invalid"] == 3
    assert sum(outcome["totals"].values()) == outcome["rows"]
    assert not Enterprise.objects.exists()


def test_preview_page_lists_every_error_and_counts_that_match(client_for, officer1):
    rows = [["好公司", credit_code(), "", "", "", "", "展会"], ["=1", credit_code(), "", "", "", "", "展会"]]
    upload = {"file": _file(xlsx(ENTERPRISE_HEADERS, rows), "p.xlsx"), "mode": "create"}
    body = client_for(officer1).post(reverse("clients:import_upload", args=["enterprise"]), upload).content.decode()
    assert "共 2 行：新增 1，更新 0。" in body and "有错误 1 行。" in body
    assert "第 3 行" in body and "A 列（企业名称）含有公式" in body


def _file(data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def _qian(officer, enterprise):
    """钱多多, a person already registered (by mobile) with a position and no e-mail."""
    return services.contact_create(
        user=officer,
        enterprise=enterprise,
        name="钱多多",
        mobile="13700002222",
        email="",
        position="经理",
        source="client",
        purpose="investment_liaison",
    )


def test_contact_import_updates_the_person_matched_by_mobile_or_email(officer1, make_enterprise):
    enterprise = make_enterprise(officer1)
    existing = _qian(officer1, enterprise)
    rows = [
        [enterprise.credit_code, "钱多多", "13700002222", "qian@example.com", "", "总经理", "展会", "招商服务联络"],
        [enterprise.credit_code, "孙新", "13700003333", "", "", "", "展会", "招商服务联络"],
        [enterprise.credit_code, "孙新", "", "", "", "财务总监", "展会", "招商服务联络"],  # no key: a new person
    ]
    data = xlsx(CONTACT_HEADERS, rows)
    preview = import_run(user=officer1, kind="contact", data=data, file_name="c.xlsx")
    assert preview["errors"] == []
    assert (preview["totals"]["new"], preview["totals"]["update"]) == (2, 1)
    assert preview["updated_rows"] == [2]  # the preview names the row that updates 钱多多's record
    assert Contact.objects.count() == 1
    import_run(user=officer1, kind="contact", data=data, file_name="c.xlsx", dry_run=False)
    assert Contact.objects.count() == 3
    existing.refresh_from_db()
    assert (existing.email, existing.position, existing.mobile) == ("qian@example.com", "总经理", "13700002222")
    # by e-mail alone, a second import updates again instead of adding a fourth person
    again = xlsx(
        CONTACT_HEADERS, [[enterprise.credit_code, "钱多多", "", "QIAN@example.com", "", "", "展会", "招商服务联络"]]
    )
    outcome = import_run(user=officer1, kind="contact", data=again, file_name="c.xlsx", dry_run=False)
    assert outcome["totals"]["update"] == 1 and Contact.objects.count() == 3


def test_contact_import_refuses_a_person_of_another_department_without_their_data(officer1, officer2, make_enterprise):
    theirs = make_enterprise(officer2, name="别人的企业有限公司")
    services.contact_create(
        user=officer2,
        enterprise=theirs,
        name="周密",
        mobile="13600004444",
        source="client",
        purpose="investment_liaison",
    )
    mine = make_enterprise(officer1)
    data = xlsx(CONTACT_HEADERS, [[mine.credit_code, "周某", "13600004444", "", "", "", "展会", "招商服务联络"]])
    outcome = import_run(user=officer1, kind="contact", data=data, file_name="c.xlsx", dry_run=False)
    ((row, messages),) = outcome["errors"]
    text = "".join(messages)
    assert row == 2 and "已在「招商二局」登记" in text
    assert "周密" not in text and "别人的企业" not in text and "#" not in text
    assert Contact.objects.count() == 1


def test_undoing_a_contact_import_restores_the_people_it_updated(officer1, make_enterprise):
    from clients.excel import import_undo
    from clients.models import ImportBatch

    enterprise = make_enterprise(officer1)
    existing = _qian(officer1, enterprise)
    stored = Contact.objects.filter(pk=existing.pk).values_list("name", "mobile_index", "email_index").get()
    rows = [
        [
            enterprise.credit_code,
            "钱多",
            "13700002222",
            "qian@example.com",
            "wx-qian",
            "总经理",
            "展会",
            "招商服务联络",
        ],
        [enterprise.credit_code, "孙新", "13700003333", "", "", "", "展会", "招商服务联络"],
    ]
    done = import_run(
        user=officer1, kind="contact", data=xlsx(CONTACT_HEADERS, rows), file_name="c.xlsx", dry_run=False
    )
    batch = done["batch"]
    # The batch keeps the person's stored form, never a clear value.
    kept = str(ImportBatch.objects.get(pk=batch.pk).previous_values)
    assert "钱多多" not in kept and "13700002222" not in kept and "经理" in kept
    import_undo(user=officer1, batch=batch)
    assert Contact.objects.count() == 1
    person = Contact.objects.get(pk=existing.pk)
    assert (person.name, person.mobile, person.email, person.wechat, person.position) == (
        "钱多多",
        "13700002222",
        "",
        "",
        "经理",
    )
    assert Contact.objects.filter(pk=existing.pk).values_list("name", "mobile_index", "email_index").get() == stored
    # Found again by the mobile it had, and no longer by the e-mail the import gave it.
    from clients.people import find_person

    assert find_person(officer1, mobile="13700002222", email="").inside
    assert not find_person(officer1, mobile="", email="qian@example.com").inside


def test_undo_leaves_a_person_erased_since_the_import_erased(officer1, make_enterprise):
    from clients.excel import import_undo
    from privacy.requests.erasure import contact_erase

    enterprise = make_enterprise(officer1)
    existing = _qian(officer1, enterprise)
    rows = [[enterprise.credit_code, "钱多", "13700002222", "", "", "总经理", "展会", "招商服务联络"]]
    done = import_run(
        user=officer1, kind="contact", data=xlsx(CONTACT_HEADERS, rows), file_name="c.xlsx", dry_run=False
    )
    contact_erase(existing, reason="测试", actor=officer1)
    import_undo(user=officer1, batch=done["batch"])
    assert Contact.objects.filter(pk=existing.pk).values_list("name", "mobile_index").get() == ("", None)

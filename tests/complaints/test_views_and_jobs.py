"""Public form, tracking link, identity confidentiality, access matrix and the deadline job."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from clients.models import Department
from complaints import services
from complaints.models import Complaint, Reminder

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _form(kinds, categories, **extra):
    return {
        "kind": kinds["complaint"].pk,
        "category": categories["policy"].pk,
        "description": "承诺的厂房租金减免一直没有落实，多次询问无人答复。",
        "name": "",
        "phone": "",
        "email": "",
        "consent": "on",
        **extra,
    }


def test_anonymous_public_complaint_is_filed_and_link_shown_once(client, kinds, categories):
    response = client.post(reverse("complaints:public_new"), _form(kinds, categories), REMOTE_ADDR="10.1.0.1")
    assert response.status_code == 302
    done = client.get(response["Location"])
    assert done.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.is_anonymous and complaint.acknowledged_at is None
    assert complaint.reference in done.content.decode()
    assert client.get(reverse("complaints:public_done")).status_code == 302  # shown only once


def test_attachment_with_fake_extension_is_refused(client, kinds, categories):
    fake = SimpleUploadedFile("合同.pdf", b"MZ\x90\x00 this is a windows program", content_type="application/pdf")
    response = client.post(
        reverse("complaints:public_new"), {**_form(kinds, categories), "attachments": fake}, REMOTE_ADDR="10.1.0.2"
    )
    assert response.status_code == 200
    assert "不是有效的图片或PDF文件" in response.content.decode()
    assert not Complaint.objects.exists()


def test_pdf_renamed_to_jpg_is_refused_and_real_pdf_accepted(client, kinds, categories):
    renamed = SimpleUploadedFile("scan.jpg", PDF, content_type="image/jpeg")
    response = client.post(
        reverse("complaints:public_new"), {**_form(kinds, categories), "attachments": renamed}, REMOTE_ADDR="10.1.0.3"
    )
    assert response.status_code == 200 and not Complaint.objects.exists()
    good = [SimpleUploadedFile("scan.pdf", PDF), SimpleUploadedFile("photo.png", PNG)]
    response = client.post(
        reverse("complaints:public_new"), {**_form(kinds, categories), "attachments": good}, REMOTE_ADDR="10.1.0.3"
    )
    assert response.status_code == 302
    types = sorted(Complaint.objects.get().attachments.values_list("content_type", flat=True))
    assert types == ["application/pdf", "image/png"]


def test_public_form_is_rate_limited_per_ip(client, kinds, categories, settings):
    settings.PUBLIC_FORM_RATE_LIMIT_PER_HOUR = 2
    url = reverse("complaints:public_new")
    for _ in range(2):
        assert client.post(url, _form(kinds, categories), REMOTE_ADDR="10.9.9.9").status_code == 302
    blocked = client.post(url, _form(kinds, categories), REMOTE_ADDR="10.9.9.9")
    assert blocked.status_code == 429
    assert "提交过于频繁" in blocked.content.decode()
    assert client.post(url, _form(kinds, categories), REMOTE_ADDR="10.9.9.10").status_code == 302
    assert Complaint.objects.count() == 3


def test_tracking_link_shows_replies_but_never_internal_notes(client, make_complaint, handler, officer1, org):
    complaint, secret = make_complaint()
    dept = Department.objects.get(code="zs1")
    services.complaint_assign(complaint=complaint, actor=handler, department=dept, handler=officer1)
    services.complaint_start(complaint=complaint, actor=officer1)
    services.complaint_note(complaint=complaint, actor=officer1, text="内部备注：企业法人另有纠纷")
    services.complaint_reply(complaint=complaint, actor=officer1, text="租金减免已批复")
    response = client.get(reverse("complaints:track", args=[complaint.reference, secret]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "租金减免已批复" in body
    assert "企业法人另有纠纷" not in body
    assert "13812345678" not in body and "李小明" not in body


def test_tracking_link_with_tampered_secret_is_a_neutral_404(client, make_complaint):
    complaint, secret = make_complaint()
    tampered = secret[:-2] + ("xx" if not secret.endswith("xx") else "yy")
    wrong = client.get(reverse("complaints:track", args=[complaint.reference, tampered]))
    missing = client.get(reverse("complaints:track", args=["TS-20990101-0001", secret]))
    assert wrong.status_code == missing.status_code == 404
    assert "办理进度" not in wrong.content.decode()
    assert "办理进度" in client.get(reverse("complaints:track", args=[complaint.reference, secret])).content.decode()


def test_complainant_rates_through_tracking_link_and_low_rating_redoes(client, make_complaint, handler, officer1, org):
    complaint, secret = make_complaint()
    dept = Department.objects.get(code="zs1")
    services.complaint_assign(complaint=complaint, actor=handler, department=dept, handler=officer1)
    services.complaint_start(complaint=complaint, actor=officer1)
    services.complaint_reply(complaint=complaint, actor=officer1, text="已答复")
    url = reverse("complaints:track", args=[complaint.reference, secret])
    assert client.post(url, {"rating": "2", "comment": "没有解决"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "redo" and complaint.satisfaction == 2


def test_department_user_cannot_see_identity_of_complaint_against_their_department(
    client_for, make_complaint, handler, head1, officer1, dpo
):
    dept = Department.objects.get(code="zs1")
    complaint, _ = make_complaint(subject_department=dept)
    services.complaint_assign(complaint=complaint, actor=handler, department=dept, handler=officer1)
    url = reverse("complaints:detail", args=[complaint.pk])
    for user in (head1, officer1):
        body = client_for(user).get(url).content.decode()
        assert "李小明" not in body and "13812345678" not in body and "138****5678" not in body
        assert "（保密）" in body
        assert (
            client_for(user).post(reverse("complaints:reveal", args=[complaint.pk]), {"purpose": "核实"}).status_code
            == 403
        )
    for user in (handler, dpo):
        response = client_for(user).post(reverse("complaints:reveal", args=[complaint.pk]), {"purpose": "回访核实"})
        assert response.status_code == 200 and "13812345678" in response.content.decode()
    assert AccessEvent.objects.filter(action="reveal", object_id=str(complaint.pk)).count() == 2


def test_other_department_does_not_see_the_complaint(client_for, make_complaint, handler, officer1, officer2):
    dept = Department.objects.get(code="zs1")
    complaint, _ = make_complaint()
    services.complaint_assign(complaint=complaint, actor=handler, department=dept, handler=officer1)
    assert client_for(officer2).get(reverse("complaints:detail", args=[complaint.pk])).status_code == 404
    assert client_for(officer1).get(reverse("complaints:detail", args=[complaint.pk])).status_code == 200


def test_auditor_may_look_but_not_act(client_for, make_complaint, auditor):
    complaint, _ = make_complaint()
    assert client_for(auditor).get(reverse("complaints:detail", args=[complaint.pk])).status_code == 200
    response = client_for(auditor).post(reverse("complaints:action", args=[complaint.pk, "note"]), {"text": "x"})
    assert response.status_code == 403


STAFF_URLS = [
    ("complaints:list", False),
    ("complaints:staff_new", False),
    ("complaints:analysis", False),
    ("complaints:analysis_export", False),
    ("complaints:detail", True),
    ("complaints:reveal", True),
]


@pytest.mark.parametrize(("name", "needs_pk"), STAFF_URLS)
def test_staff_urls_redirect_anonymous_to_login(client, make_complaint, name, needs_pk):
    complaint, _ = make_complaint()
    url = reverse(name, args=[complaint.pk] if needs_pk else [])
    response = client.post(url) if name == "complaints:reveal" else client.get(url)
    assert response.status_code == 302
    assert "/account/login/" in response["Location"]


@pytest.mark.parametrize("name", ["complaints:list", "complaints:staff_new", "complaints:analysis"])
def test_user_without_role_is_refused(client_for, outsider, name):
    assert client_for(outsider).get(reverse(name)).status_code == 403


def test_list_query_count_is_pinned(client_for, make_complaint, handler, django_assert_max_num_queries):
    for _ in range(5):
        make_complaint()
    client = client_for(handler)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("complaints:list"))
    assert response.status_code == 200


def test_csv_export_neutralises_formulas_and_carries_no_identity(client_for, make_complaint, handler, categories):
    categories["other"].name = "=HYPERLINK(1)"
    categories["other"].save()
    make_complaint(category=categories["other"])
    response = client_for(handler).get(reverse("complaints:analysis_export"))
    body = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in body
    assert "李小明" not in body and "13812345678" not in body


def test_escalation_job_run_twice_sends_once(make_complaint, handler, officer1, head1):
    dept = Department.objects.get(code="zs1")
    received = timezone.make_aware(datetime.datetime(2026, 9, 14, 9, 0))
    complaint, _ = make_complaint(received_at=received)
    services.complaint_assign(complaint=complaint, actor=handler, department=dept, handler=officer1)
    complaint.refresh_from_db()
    today = datetime.date(2026, 10, 12)  # past the 10/8 deadline
    mail.outbox.clear()

    first = services.check_deadlines(today=today)
    second = services.check_deadlines(today=today)
    assert first["escalate"] == 1 and second["escalate"] == 0
    assert Reminder.objects.filter(complaint=complaint, kind="escalate").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_escalation_email_goes_to_supervisor_and_office_once(org, kinds, categories):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    handler, officer1, head1 = (User.objects.get(username=n) for n in ("handler", "officer1", "head1"))
    dept = Department.objects.get(code="zs1")
    complaint, _ = services.complaint_submit(
        kind=kinds["complaint"],
        category=categories["policy"],
        description="超期测试投诉内容十个字以上。",
        channel="web",
        received_at=timezone.make_aware(datetime.datetime(2026, 9, 14, 9, 0)),
    )
    services.complaint_assign(complaint=complaint, actor=handler, department=dept, handler=officer1)
    mail.outbox.clear()
    services.check_deadlines(today=datetime.date(2026, 10, 12))
    services.check_deadlines(today=datetime.date(2026, 10, 12))
    escalations = [m for m in mail.outbox if "超期督办" in m.subject]
    assert len(escalations) == 1
    assert {head1.email, handler.email, officer1.email} <= set(escalations[0].to)
    assert complaint.reference in escalations[0].subject
    assert "超期测试投诉内容" not in escalations[0].body


def test_reminder_is_sent_before_the_deadline(make_complaint, handler, officer1):
    dept = Department.objects.get(code="zs1")
    complaint, _ = make_complaint(received_at=timezone.make_aware(datetime.datetime(2026, 9, 14, 9, 0)))
    services.complaint_assign(complaint=complaint, actor=handler, department=dept, handler=officer1)
    assert services.check_deadlines(today=datetime.date(2026, 9, 28))["remind"] == 0  # 4 working days left
    assert services.check_deadlines(today=datetime.date(2026, 9, 30))["remind"] == 1  # 10/8 is 1 working day on
    assert services.check_deadlines(today=datetime.date(2026, 9, 30))["remind"] == 0


def test_tracking_page_does_not_copy_its_secret_into_the_language_switcher(client, make_complaint):
    complaint, secret = make_complaint()
    url = reverse("complaints:track", args=[complaint.reference, secret])
    body = client.get(url).content.decode()
    assert 'name="next"' not in body and f'value="{url}"' not in body
    response = client.post(
        reverse("set_language"), {"language": "en"}, HTTP_REFERER=f"http://testserver{url}", HTTP_ACCEPT="text/html"
    )
    assert response.status_code == 302 and response["Location"] == f"http://testserver{url}"
    assert 'lang="en"' in client.get(url).content.decode()


def test_return_sends_the_officer_back_to_their_queue_not_to_a_denied_404(
    client_for, make_complaint, handler, officer1, org
):
    complaint, _secret = make_complaint()
    dept = Department.objects.get(code="zs1")
    services.complaint_assign(complaint=complaint, actor=handler, department=dept, handler=officer1)
    client = client_for(officer1)
    response = client.post(reverse("complaints:action", args=[complaint.pk, "return"]), {"reason": "不属于本局职责"})
    assert response.status_code == 302
    assert response["Location"] == reverse("complaints:list") + "?due=mine"
    queue = client.get(response["Location"])
    assert queue.status_code == 200 and "已退单，等待重新分派。" in queue.content.decode()
    assert Complaint.objects.get(pk=complaint.pk).status == "returned"
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.DENIED, user=officer1).exists()

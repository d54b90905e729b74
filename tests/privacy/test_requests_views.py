"""[H] Staff pages of data-subject requests: the permission matrix, the queue, actions and staff entry."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from privacy.requests import services
from privacy.requests.models import RequestStatus, SubjectRequest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.SMS_BACKEND = "privacy.sms.LocmemSmsBackend"


@pytest.fixture
def req(contact):
    return services.subject_request_create(contact=contact, kind="explanation", details="请说明用途")


def _status(client_for, user, method, url, data=None):
    client = client_for(user)
    response = client.post(url, data or {}) if method == "post" else client.get(url)
    return response.status_code


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 302), ("outsider", 403), ("handler", 403), ("officer2", 200), ("officer1", 200), ("dpo", 200)],
)
def test_queue_matrix(client_for, org, req, who, expected):
    assert _status(client_for, org.get(who) if who else None, "get", "/privacy/requests/") == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 302), ("outsider", 403), ("officer2", 404), ("officer1", 404), ("head1", 404), ("dpo", 200)],
)
def test_detail_matrix_before_assignment(client_for, org, req, who, expected):
    assert _status(client_for, org.get(who) if who else None, "get", f"/privacy/requests/{req.pk}/") == expected


def test_assigned_handler_sees_and_acts_only_on_their_request(client_for, org, req, contact):
    other = services.subject_request_create(contact=contact, kind="access")
    services.subject_request_assign(subject_request=req, actor=org["dpo"], handler=org["officer1"])
    client = client_for(org["officer1"])
    page = client.get("/privacy/requests/").content.decode()
    assert f"#{req.pk}<" in page and f"#{other.pk}<" not in page
    assert client.get(f"/privacy/requests/{req.pk}/").status_code == 200
    assert client.get(f"/privacy/requests/{other.pk}/").status_code == 404
    assert client.post(f"/privacy/requests/{req.pk}/note/", {"text": "已电话联系本人"}).status_code == 302
    assert req.events.filter(action="note").exists()
    # the officer's role may not refuse: a message, no change, never a 500
    response = client.post(f"/privacy/requests/{req.pk}/refuse/", {"ground": "unfounded", "text": "x"}, follow=True)
    assert response.status_code == 200 and "只有个人信息保护负责人" in response.content.decode()
    assert SubjectRequest.objects.get(pk=req.pk).status == RequestStatus.IN_PROGRESS


def test_action_matrix(client_for, org, req):
    url = f"/privacy/requests/{req.pk}/note/"
    assert _status(client_for, None, "post", url, {"text": "x"}) == 302
    assert _status(client_for, org["outsider"], "post", url, {"text": "x"}) == 403
    assert _status(client_for, org["officer2"], "post", url, {"text": "x"}) == 404
    assert _status(client_for, org["dpo"], "post", url, {"text": "x"}) == 302
    assert _status(client_for, org["dpo"], "post", f"/privacy/requests/{req.pk}/nonsense/") == 404
    assert _status(client_for, org["dpo"], "get", url) == 405


def test_privacy_officer_runs_the_workflow_through_the_page(client_for, org, req):
    client = client_for(org["dpo"])
    page = client.get(f"/privacy/requests/{req.pk}/").content.decode()
    assert "分派承办人" in page and "不予办理" in page and "请说明用途" in page
    client.post(f"/privacy/requests/{req.pk}/assign/", {"handler": org["dpo"].pk})
    client.post(f"/privacy/requests/{req.pk}/extend/", {"reason": "需要核对历史记录"})
    client.post(f"/privacy/requests/{req.pk}/complete/", {"outcome": "已生成说明页面"})
    req.refresh_from_db()
    assert req.status == RequestStatus.COMPLETED and req.extended_at is not None
    timeline = client.get(f"/privacy/requests/{req.pk}/").content.decode()
    for label in ("收到请求", "分派承办人", "延长答复期限", "办结"):
        assert label in timeline


def test_bad_input_gets_a_message_not_a_500(client_for, org, req):
    client = client_for(org["dpo"])
    response = client.post(f"/privacy/requests/{req.pk}/refuse/", {"ground": "", "text": ""}, follow=True)
    assert response.status_code == 200 and "该字段是必填项" in response.content.decode()
    response = client.post(f"/privacy/requests/{req.pk}/complete/", {"outcome": "x"}, follow=True)
    assert response.status_code == 200 and "不能执行" in response.content.decode()


def test_queue_filters_and_counts(client_for, org, contact):
    services.subject_request_create(contact=contact, kind="access")
    services.subject_request_create(contact=contact, kind="deletion")  # awaiting verification: its own list
    client = client_for(org["dpo"])
    page = client.get("/privacy/requests/").content.decode()
    assert page.count('href="/privacy/requests/') >= 1
    rows = client.get("/privacy/requests/").context["rows"]
    assert [r.kind for r in rows] == ["access"]
    rows = client.get("/privacy/requests/?status=unverified").context["rows"]
    assert [r.kind for r in rows] == ["deletion"]
    rows = client.get("/privacy/requests/?status=open&kind=deletion").context["rows"]
    assert [r.kind for r in rows] == ["deletion"]
    assert client.get("/privacy/requests/?due=overdue").context["rows"].__len__() == 0
    assert client.get("/privacy/requests/?status=bogus&kind=bogus&page=x").status_code == 200


def test_queue_query_count_does_not_grow_with_rows(client_for, org, contact, django_assert_max_num_queries):
    for _ in range(12):
        services.subject_request_create(contact=contact, kind="access")
    client = client_for(org["dpo"])
    client.get("/privacy/requests/")
    with django_assert_max_num_queries(25):
        client.get("/privacy/requests/")


@pytest.mark.parametrize(("who", "expected"), [(None, 302), ("handler", 403), ("officer2", 404), ("officer1", 200)])
def test_staff_entry_matrix(client_for, org, contact, who, expected):
    url = f"/privacy/contacts/{contact.pk}/request/"
    assert _status(client_for, org.get(who) if who else None, "get", url) == expected


def test_staff_entry_by_phone_waits_for_verification(client_for, org, contact):
    client = client_for(org["officer1"])
    response = client.post(
        f"/privacy/contacts/{contact.pk}/request/",
        {"kind": "access", "channel": "phone", "requester": "self", "details": "电话要求查阅"},
    )
    assert response.status_code == 302
    req = SubjectRequest.objects.get(contact=contact)
    assert req.channel == "phone" and req.status == RequestStatus.AWAITING_VERIFICATION
    assert req.created_by == org["officer1"]


def test_staff_entry_verified_in_person_by_privacy_officer(client_for, org, contact):
    client = client_for(org["dpo"])
    proof = SimpleUploadedFile("proof.pdf", b"%PDF-1.4 death certificate", content_type="application/pdf")
    response = client.post(
        f"/privacy/contacts/{contact.pk}/request/",
        {
            "kind": "deletion",
            "channel": "onsite",
            "requester": "relative",
            "relative_name": "张小丰",
            "relationship": "child",
            "proof": proof,
            "verified": "on",
            "verification_note": "当面查验死亡证明和户口簿",
        },
    )
    req = SubjectRequest.objects.get(contact=contact)
    assert response.status_code == 302 and req.status == RequestStatus.RECEIVED and req.relative_name == "张小丰"
    # the proof is readable by the privacy officer only, decrypted
    download = client.get(f"/privacy/requests/{req.pk}/proof/")
    assert (
        download.status_code == 200
        and b"".join(download.streaming_content if download.streaming else [download.content])
        == b"%PDF-1.4 death certificate"
    )
    assert client_for(org["officer2"]).get(f"/privacy/requests/{req.pk}/proof/").status_code == 404


def test_staff_entry_rejects_a_bad_proof_file(client_for, org, contact):
    client = client_for(org["dpo"])
    proof = SimpleUploadedFile("proof.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = client.post(
        f"/privacy/contacts/{contact.pk}/request/",
        {
            "kind": "access",
            "channel": "letter",
            "requester": "relative",
            "relative_name": "李",
            "relationship": "spouse",
            "proof": proof,
        },
    )
    assert response.status_code == 200 and "只接受PDF、JPG或PNG文件" in response.content.decode()
    assert not SubjectRequest.objects.exists()


def test_contact_page_offers_staff_entry(client_for, org, contact):
    page = client_for(org["officer1"]).get(contact.get_absolute_url()).content.decode()
    assert f"/privacy/contacts/{contact.pk}/request/" in page


def test_dashboard_lists_overdue_requests(client_for, org, contact):
    import datetime

    from django.utils import timezone

    req = services.subject_request_create(contact=contact, kind="access")
    SubjectRequest.objects.filter(pk=req.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=5))
    page = client_for(org["dpo"]).get("/").content.decode()
    assert f'href="/privacy/requests/{req.pk}/"' in page and 'data-count="requests_overdue">1<' in page


def test_opening_a_request_is_recorded_as_a_read_of_the_person(client_for, org, req, contact):
    from audit.models import AccessEvent, AccessSubject

    before = AccessEvent.objects.filter(user=org["dpo"], action="view").count()
    assert client_for(org["dpo"]).get(f"/privacy/requests/{req.pk}/").status_code == 200
    events = AccessEvent.objects.filter(user=org["dpo"], action="view").order_by("-pk")
    assert events.count() == before + 1
    assert AccessSubject.objects.filter(event=events.first(), contact_id=contact.pk).exists()


def test_the_action_message_is_in_the_readers_language(client_for, org, req, settings):
    client = client_for(org["dpo"])
    response = client.post(f"/privacy/requests/{req.pk}/note/", {"text": "已电话联系"}, follow=True)
    assert "已添加备注。" in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(f"/privacy/requests/{req.pk}/note/", {"text": "已电话联系"}, follow=True)
    assert "Note added." in response.content.decode()

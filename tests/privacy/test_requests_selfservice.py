"""[H] The person's side: a short form per kind, the request page (code, reply, answer, remedies),
the explanation page, and the public request form's neutral answer."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from privacy.requests import codes, services
from privacy.requests.models import RequestKind, RequestStatus, SubjectRequest

from .conftest import open_link

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms(settings):
    from privacy.sms import LocmemSmsBackend

    settings.SMS_BACKEND = "privacy.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    yield
    LocmemSmsBackend.outbox.clear()


@pytest.fixture
def fixed_code(monkeypatch):
    monkeypatch.setattr(codes.secrets, "randbelow", lambda n: 246810)
    return "246810"


def test_home_offers_every_kind(client, opened):
    page = client.get(opened).content.decode()
    for kind in RequestKind.values:
        assert f'href="request/{kind}/"' in page


@pytest.mark.parametrize("kind", RequestKind.values)
def test_each_kind_has_its_own_form(client, opened, kind):
    page = client.get(f"{opened}request/{kind}/").content.decode()
    assert ('name="correction_value"' in page) == (kind == "correction")
    assert ('name="confirm"' in page) == (kind == "deletion")
    assert 'name="relative_name"' in page


def test_correction_form_records_field_and_value(client, opened, contact):
    response = client.post(
        f"{opened}request/correction/",
        {"requester": "self", "correction_field": "mobile", "correction_value": "13900000000"},
    )
    req = SubjectRequest.objects.get(contact=contact)
    assert response.status_code == 302 and response["Location"].endswith(f"request/{req.pk}/")
    assert req.correction_field == "mobile" and req.correction_value == "13900000000"
    assert req.status == RequestStatus.RECEIVED


def test_deletion_needs_confirmation_then_a_code(client, opened, contact, fixed_code):
    page = client.post(f"{opened}request/deletion/", {"requester": "self"}).content.decode()
    assert "请勾选确认后再提交" in page and not SubjectRequest.objects.exists()
    response = client.post(f"{opened}request/deletion/", {"requester": "self", "confirm": "on"}, follow=True)
    req = SubjectRequest.objects.get(contact=contact)
    assert req.status == RequestStatus.AWAITING_VERIFICATION
    assert 'name="code"' in response.content.decode()
    client.post(f"{opened}request/{req.pk}/", {"action": "code", "code": fixed_code})
    req.refresh_from_db()
    assert req.status == RequestStatus.RECEIVED


def test_wrong_codes_lock_on_the_page(client, opened, contact, fixed_code):
    client.post(f"{opened}request/portability/", {"requester": "self"})
    req = SubjectRequest.objects.get(contact=contact)
    for _ in range(3):
        client.post(f"{opened}request/{req.pk}/", {"action": "code", "code": "000000"})
    response = client.post(f"{opened}request/{req.pk}/", {"action": "code", "code": fixed_code}, follow=True)
    assert "次数过多" in response.content.decode()
    req.refresh_from_db()
    assert req.status == RequestStatus.AWAITING_VERIFICATION


def test_relative_request_with_proof(client, opened, contact):
    proof = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\nrest", content_type="image/png")
    client.post(
        f"{opened}request/access/",
        {"requester": "relative", "relative_name": "张小丰", "relationship": "child", "proof": proof},
    )
    req = SubjectRequest.objects.get(contact=contact)
    assert req.requester == "relative" and req.status == RequestStatus.AWAITING_VERIFICATION and req.proof


def test_request_page_shows_pause_reply_and_resumes(client, opened, contact, dpo):
    req = services.subject_request_create(contact=contact, kind="access")
    services.subject_request_assign(subject_request=req, actor=dpo, handler=dpo)
    services.subject_request_pause(subject_request=req, actor=dpo, reason="请说明需要哪一年的记录")
    page = client.get(f"{opened}request/{req.pk}/").content.decode()
    assert "请说明需要哪一年的记录" in page and 'name="reply"' in page
    client.post(f"{opened}request/{req.pk}/", {"action": "reply", "reply": "2025年的"})
    req.refresh_from_db()
    assert req.status == RequestStatus.IN_PROGRESS


def test_refusal_is_shown_with_remedies(client, opened, contact, dpo):
    req = services.subject_request_create(contact=contact, kind="access")
    services.subject_request_refuse(subject_request=req, actor=dpo, ground="law_requires", text="涉及保密事项")
    page = client.get(f"{opened}request/{req.pk}/").content.decode()
    assert "涉及保密事项" in page and "第五十条" in page and 'href="/c/complaint/"' in page
    home = client.get(opened).content.decode()
    assert f'href="request/{req.pk}/"' in home and "不予办理" in home


def test_extension_is_shown_to_the_person(client, opened, contact, dpo):
    req = services.subject_request_create(contact=contact, kind="access")
    services.subject_request_extend(subject_request=req, actor=dpo, reason="需要调取档案")
    page = client.get(f"{opened}request/{req.pk}/").content.decode()
    assert "需要调取档案" in page


def test_explanation_page_after_completion(client, opened, contact, dpo):
    req = services.subject_request_create(contact=contact, kind="explanation")
    assert client.get(f"{opened}request/{req.pk}/explanation/").status_code == 302  # not yet
    services.subject_request_assign(subject_request=req, actor=dpo, handler=dpo)
    services.subject_request_complete(subject_request=req, actor=dpo, outcome="说明见页面")
    page = client.get(f"{opened}request/{req.pk}/explanation/").content.decode()
    assert "处理依据" in page and "保存期限" in page and "个人信息权利请求记录" in page


def test_another_persons_request_is_not_shown(client, opened, make_contact):
    other = make_contact()
    req = services.subject_request_create(contact=other, kind="access", details="别人的请求")
    response = client.get(f"{opened}request/{req.pk}/")
    assert response.status_code == 302 and "别人的请求" not in response.content.decode()


@pytest.mark.parametrize("path", ["request/access/", "request/1/", "request/1/explanation/"])
def test_pages_need_the_door_cookie(client, path, db):
    assert client.get("/c/" + path).status_code == 404  # the neutral page


# --- the public form ----------------------------------------------------------------------------


def _post(client, **data):
    base = {"kind": "access", "name": "张三丰", "mobile": "", "email": ""}
    return client.post("/c/ask/", {**base, **data})


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks, celery_inline):
    """Post the public form; the worker's part (the match, the request, the code) runs inline."""

    def _ask(client=client, **data):
        with django_capture_on_commit_callbacks(execute=True):
            return _post(client, **data)

    return _ask


def test_public_form_same_answer_whether_or_not_a_match(client, contact, ask):
    from privacy.sms import LocmemSmsBackend

    matched = ask(client, mobile=contact.mobile)
    matched_page = client.get("/c/ask/code/")
    client.cookies.clear()
    unmatched = ask(client, mobile="13111111111")
    unmatched_page = client.get("/c/ask/code/")
    assert matched.status_code == unmatched.status_code == 302
    assert matched["Location"] == unmatched["Location"]

    def body(response):
        import re

        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())

    assert body(matched_page) == body(unmatched_page)
    # the code went only to the recorded mobile, once
    assert [number for number, _t in LocmemSmsBackend.outbox] == [contact.mobile]
    assert SubjectRequest.objects.get().status == RequestStatus.AWAITING_VERIFICATION


def test_public_form_name_must_match_too(client, contact, ask):
    from privacy.sms import LocmemSmsBackend

    ask(client, name="李四", mobile=contact.mobile)
    assert not SubjectRequest.objects.exists() and LocmemSmsBackend.outbox == []


def test_public_form_by_email_sends_code_to_recorded_channel(client, contact, mailoutbox, settings, ask):
    settings.SMS_BACKEND = "privacy.sms.NullSmsBackend"
    ask(client, email=contact.email.upper())
    assert SubjectRequest.objects.get().channel == "web"
    assert mailoutbox[-1].to == [contact.email]


def test_public_code_verifies_and_opens_the_request_page(client, contact, fixed_code, ask):
    ask(client, mobile=contact.mobile)
    response = client.post("/c/ask/code/", {"code": fixed_code})
    req = SubjectRequest.objects.get()
    assert response.status_code == 302
    page = open_link(client, response["Location"])
    assert page.endswith(f"request/{req.pk}/")
    req.refresh_from_db()
    assert req.status == RequestStatus.RECEIVED
    assert f"#{req.pk}" in client.get(page).content.decode()


def test_public_wrong_code_same_message_as_no_match(client, contact, ask):
    ask(client, mobile=contact.mobile)
    wrong = client.post("/c/ask/code/", {"code": "000000"}).content.decode()
    client.cookies.clear()
    ask(client, mobile="13111111111")
    none = client.post("/c/ask/code/", {"code": "000000"}).content.decode()
    assert "验证码不正确或已过期" in wrong and "验证码不正确或已过期" in none


def test_public_form_is_rate_limited(client, settings, contact, ask):
    settings.SUBJECT_REQUEST_PUBLIC_RATE_LIMIT_PER_HOUR = 2
    for _ in range(2):
        assert ask(client, mobile="13111111111").status_code == 302
    assert ask(client, mobile=contact.mobile).status_code == 429
    assert not SubjectRequest.objects.exists()


def test_public_form_bad_input_gets_messages(client, db, ask):
    page = client.post("/c/ask/", {"kind": "deletion", "name": "张三"}).content.decode()
    assert "请填写您在我们这里登记的手机号或电子邮箱" in page and "请勾选确认后再提交" in page


def test_code_page_without_a_form_goes_back(client, db):
    assert client.get("/c/ask/code/")["Location"] == "../"


def test_the_answer_does_the_same_work_whether_or_not_a_match(client, contact, django_capture_on_commit_callbacks):
    """The form's answer never looks the person up: it seals the submission, stores it and hands a
    random token to the worker, the same for everyone; the lookup and the code are the worker's."""
    from unittest import mock

    from privacy.requests import public

    sent = []
    for mobile in (contact.mobile, "13111111111"):
        client.cookies.clear()
        with (
            mock.patch.object(public, "match_contact", side_effect=AssertionError("looked up")),
            mock.patch(
                "zhaoshang.core.tasks.send_now", side_effect=lambda task, *a, **k: sent.append((task.name, a)) or True
            ),
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert _post(client, mobile=mobile).status_code == 302
    assert [name for name, _args in sent] == ["privacy.tasks.process_public_request"] * 2
    tokens = [args[0] for _name, args in sent]
    assert all(contact.mobile not in token and "张三丰" not in token for token in tokens)
    assert not SubjectRequest.objects.exists()  # nothing was looked up or recorded yet


def test_the_worker_finds_the_person_once_and_the_submission_is_kept_sealed(client, contact, fixed_code):
    from django.core.cache import cache

    from privacy.requests import public
    from privacy.sms import LocmemSmsBackend

    with mock_enqueue() as tokens:
        _post(client, mobile=contact.mobile)
    (token,) = tokens
    stored = str(cache.get(public._cache_key(token)))
    assert contact.mobile not in stored and "张三丰" not in stored
    assert public.process(token) is True
    assert public.process(token) is False  # one-time: read and removed
    assert [number for number, _t in LocmemSmsBackend.outbox] == [contact.mobile]
    response = client.post("/c/ask/code/", {"code": fixed_code})
    assert response.status_code == 302 and SubjectRequest.objects.get().status == RequestStatus.RECEIVED


@pytest.mark.faults
def test_with_the_broker_down_the_submission_is_handled_at_once(client, contact, redis_down, settings):
    """Nothing typed is lost when Redis is down: the form handles the submission while the person
    waits (cache and broker both refuse), and the code is sent."""
    from django.core.cache import cache as _cache  # noqa: F401 - the refused cache of `redis_down`

    from privacy.sms import LocmemSmsBackend

    assert _post(client, mobile=contact.mobile).status_code == 302
    assert [number for number, _t in LocmemSmsBackend.outbox] == [contact.mobile]
    assert SubjectRequest.objects.get().status == RequestStatus.AWAITING_VERIFICATION


def test_with_only_the_broker_down_the_submission_is_handled_at_once(
    client, contact, settings, django_capture_on_commit_callbacks
):
    from unittest import mock

    from privacy.sms import LocmemSmsBackend

    with (
        mock.patch("zhaoshang.core.tasks.send_now", return_value=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert _post(client, mobile=contact.mobile).status_code == 302
    assert [number for number, _t in LocmemSmsBackend.outbox] == [contact.mobile]


def mock_enqueue():
    """Capture the tokens the form enqueues, without running the task."""
    import contextlib
    from unittest import mock

    @contextlib.contextmanager
    def _capture():
        tokens = []
        with mock.patch("zhaoshang.core.tasks.enqueue", side_effect=lambda task, token, **k: tokens.append(token)):
            yield tokens

    return _capture()


def test_a_code_that_cannot_be_sent_leaves_no_request_behind(client, contact, settings, ask):
    """No SMS gateway and no e-mail on record: the person is found but no code can go out, so no
    request is left waiting for a code nobody received."""
    from clients.models import Contact

    settings.SMS_BACKEND = "privacy.sms.NullSmsBackend"
    Contact.objects.filter(pk=contact.pk).update(email="")
    assert ask(client, mobile=contact.mobile).status_code == 302
    assert not SubjectRequest.objects.exists()

"""[H] `contact_erase`: after erasure fields do not decrypt, audit entries are redacted, links and
packages no longer open, the request record holds no personal data, recipients are told; refused
while a legal hold or a retention floor applies; the "erase now" page's access matrix."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from audit.access import record_access
from audit.models import AccessEvent, AccessSubject, Redaction
from clients.models import Contact
from complaints.models import Complaint
from privacy.crypto import Sealed, SubjectKeyShredded
from privacy.models import SelfServiceLink, SubjectPackage, SubjectRequest
from privacy.requests import package as packages
from privacy.requests.services import ErasureRefused, contact_erase
from privacy.retention.services import legal_hold_place
from privacy.selfservice import services as link_services
from zhaoshang.core.notifications.models import Notification

from .crypto_helpers import raw_rows
from .requests_helpers import share_of, with_history

pytestmark = pytest.mark.django_db
FIELDS = ("name", "mobile", "email")


@pytest.fixture
def person(make_contact, officer1):
    me = make_contact(name="赵删除", mobile="13700001111", email="erase@example.cn")
    request = with_history(me, officer1, note="删除")
    Complaint.objects.filter(contact=me).update(status="closed")
    return me, request


def _copy(contact):
    [row] = [r for r in raw_rows(Contact, "id", "subject_key_id", *FIELDS) if r[0] == contact.pk]
    return row


def _from_copy(row):
    pk, key_id, *tokens = row
    contact = Contact(pk=pk, subject_key_id=key_id)
    for name, token in zip(FIELDS, tokens, strict=True):
        setattr(contact, name, Sealed(token))
    return contact


def _erase(contact, dpo, capture):
    with capture(execute=True):
        return contact_erase(contact, reason="个人提出删除请求", actor=dpo)


def test_after_erasure_the_fields_do_not_decrypt_and_the_request_holds_no_personal_data(
    person, dpo, django_capture_on_commit_callbacks
):
    me, request = person
    copy = _copy(me)
    [request_copy] = [r for r in raw_rows(SubjectRequest, "id", "subject_key_id", "details") if r[0] == request.pk]
    assert _from_copy(copy).mobile == "13700001111"
    result = _erase(me, dpo, django_capture_on_commit_callbacks)
    assert result.keys_shredded >= 2  # the contact and its request
    for name in FIELDS:
        with pytest.raises(SubjectKeyShredded):
            getattr(_from_copy(copy), name)
    stored = Contact._base_manager.get(pk=me.pk)
    assert (stored.mobile_index, stored.email_index, stored.position) == (None, None, "")
    assert not Contact.objects.search_mobile("13700001111").exists()
    old = SubjectRequest(pk=request.pk, subject_key_id=request_copy[1], details=Sealed(request_copy[2]))
    with pytest.raises(SubjectKeyShredded):
        old.details  # noqa: B018
    row = SubjectRequest._base_manager.values("details", "kind", "status").get(pk=request.pk)
    assert row["details"] == "" and row["kind"] == "access"
    complaint = Complaint._base_manager.get(contact_id=me.pk)
    assert (complaint.complainant_name, complaint.complainant_phone) == ("", "")


def test_after_erasure_audit_entries_about_the_person_are_redacted(
    person, dpo, officer1, django_capture_on_commit_callbacks
):
    me, _request = person
    record_access(officer1, "reveal", me, purpose="核实", subject_ids=[me.pk])
    contact_type = ContentType.objects.get_for_model(Contact)
    logs = LogEntry.objects.filter(content_type=contact_type, object_pk=str(me.pk))
    assert logs.exists() and not any((e.additional_data or {}).get("redacted") for e in logs)
    result = _erase(me, dpo, django_capture_on_commit_callbacks)
    assert result.entries_redacted > 0
    for entry in LogEntry.objects.filter(content_type=contact_type, object_pk=str(me.pk)):
        assert entry.additional_data["redacted"] is True and entry.object_repr == "[已删除]"
        assert all(values == ["[已删除]", "[已删除]"] for values in entry.changes.values())
    events = AccessEvent.objects.filter(pk__in=AccessSubject.objects.filter(contact_id=me.pk).values("event_id"))
    assert events.exists() and all(e.redacted for e in events)
    assert Redaction.objects.filter(reason="erasure").count() == result.entries_redacted


def test_after_erasure_the_link_and_the_package_no_longer_open(person, dpo, client, django_capture_on_commit_callbacks):
    me, request = person
    link = link_services.selfservice_link(me)
    package = packages.package_build(subject_request=request, actor=dpo)
    path = package.download_path
    assert client.get(link).status_code == 302  # opens before
    _erase(me, dpo, django_capture_on_commit_callbacks)
    assert not SelfServiceLink.objects.filter(contact=me).exists()
    assert not SubjectPackage.objects.filter(contact=me).exists()
    assert client.get("/c/").status_code == 404  # the door cookie no longer opens
    client.cookies.clear()
    assert client.get(link).status_code == 404
    assert client.get(path).status_code == 404


def test_recipients_of_past_shares_and_exports_are_notified(
    person, dpo, officer1, make_contact, django_capture_on_commit_callbacks
):
    me, _request = person
    other = make_contact()
    share = share_of(dpo, officer1, [me, other])
    record_access(officer1, "export", None, row_count=2, subject_ids=[me.pk, other.pk])
    result = _erase(me, dpo, django_capture_on_commit_callbacks)
    assert result.notices >= 2
    share_notes = Notification.objects.filter(kind="erasure_share_recipient", object_id=share.pk)
    assert set(share_notes.values_list("user", flat=True)) >= {dpo.pk, officer1.pk}
    assert share.reference in share_notes.first().params["share"]
    assert Notification.objects.filter(kind="erasure_export_holder", user=officer1).exists()
    for note in Notification.objects.filter(kind__startswith="erasure_"):
        assert "赵删除" not in str(note.params) and "13700001111" not in str(note.params)


def test_refused_while_a_legal_hold_applies(person, dpo):
    me, _request = person
    legal_hold_place(user=dpo, reason="诉讼保全", contact=me)
    with pytest.raises(ErasureRefused) as exc:
        contact_erase(me, reason="请求", actor=dpo)
    assert "保全" in exc.value.message and exc.value.code == "legal_hold"
    assert Contact.objects.get(pk=me.pk).mobile == "13700001111"


def test_refused_while_the_enterprise_is_held(person, dpo):
    me, _request = person
    type(me.enterprise).objects.filter(pk=me.enterprise_id).update(legal_hold=True)
    with pytest.raises(ErasureRefused, match="保全"):
        contact_erase(me, reason="请求", actor=dpo)


def test_refused_while_a_retention_floor_applies_an_open_complaint(person, dpo):
    me, _request = person
    complaint = Complaint._base_manager.get(contact=me)
    Complaint.objects.filter(pk=complaint.pk).update(status="in_progress")
    with pytest.raises(ErasureRefused) as exc:
        contact_erase(me, reason="请求", actor=dpo)
    assert exc.value.code == "retention_floor" and complaint.reference in exc.value.message
    assert Contact.objects.get(pk=me.pk).mobile == "13700001111"


# --- The "erase now" page --------------------------------------------------------------------


def _url(contact):
    return f"/privacy/contacts/{contact.pk}/erase/"


def test_erase_page_access_matrix(person, client_for, officer1, officer2, dpo, auditor):
    me, _request = person
    assert client_for(None).get(_url(me)).status_code == 302  # anonymous: to sign-in
    assert client_for(officer2).get(_url(me)).status_code == 404  # outside their scope
    assert client_for(officer1).get(_url(me)).status_code == 403  # sees the contact, may not erase
    response = client_for(dpo).get(_url(me))
    assert response.status_code == 200 and "确认删除" in response.content.decode()
    assert client_for(dpo).get("/privacy/contacts/999999/erase/").status_code == 404


def test_erase_page_needs_the_confirmation_then_erases(person, client_for, dpo, django_capture_on_commit_callbacks):
    me, _request = person
    client = client_for(dpo)
    response = client.post(_url(me), {"reason": "个人请求"})
    assert response.status_code == 400
    assert Contact.objects.get(pk=me.pk).mobile == "13700001111"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(me), {"reason": "个人请求", "confirm": "on"})
    assert response.status_code == 302 and response["Location"] == f"/clients/contacts/{me.pk}/"
    assert Contact._base_manager.get(pk=me.pk).subject_key.is_shredded
    page = client.get(response["Location"])  # the erased contact's page still renders, naming nobody
    assert page.status_code == 200 and "13700001111" not in page.content.decode()


def test_erase_page_shows_a_refusal_with_its_reason(person, client_for, dpo):
    me, _request = person
    legal_hold_place(user=dpo, reason="诉讼保全", contact=me)
    response = client_for(dpo).get(_url(me))
    assert response.status_code == 200 and "诉讼保全" in response.content.decode()
    response = client_for(dpo).post(_url(me), {"reason": "个人请求", "confirm": "on"})
    assert response.status_code in (200, 409) and "保全" in response.content.decode()
    assert Contact.objects.get(pk=me.pk).mobile == "13700001111"


def test_the_contact_page_offers_erase_now_to_the_privacy_officer_only(person, client_for, dpo, officer1):
    me, _request = person
    assert _url(me) in client_for(dpo).get(f"/clients/contacts/{me.pk}/").content.decode()
    assert _url(me) not in client_for(officer1).get(f"/clients/contacts/{me.pk}/").content.decode()

"""12345 hotline: idempotent intake through the complaints service, status and replies, attachments."""

import base64

import pytest

from audit.models import AccessEvent
from complaints import services as complaint_services
from complaints.models import Complaint, ComplaintAttachment

from .conftest import error

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def hotline(make_integration):
    return make_integration("complaint_handler", "yshj", scopes=["complaints:intake"], name="12345热线", code="hotline")


def _payload(**fields):
    body = {
        "hotline_id": "GD20260301-0001",
        "kind": "complaint",
        "category": "approval",
        "description": "企业反映审批材料多次被退回，希望说明原因。",
        "complainant_name": "李四",
        "complainant_phone": "13900002222",
    }
    body.update(fields)
    return body


def test_intake_files_a_complaint_once_per_hotline_ticket(hotline, api):
    client = api(hotline)
    first = client.post("/api/v1/complaints/hotline/", _payload())
    assert first.status_code == 201, first.content
    again = client.post("/api/v1/complaints/hotline/", _payload(description="重复推送，内容略有不同。"))
    assert again.status_code == 200
    assert again.json()["reference"] == first.json()["reference"]
    complaint = Complaint.objects.get()
    assert complaint.channel == "12345" and complaint.created_by == hotline.service_user
    assert complaint.acknowledged_at is not None  # entered by a staff channel: acknowledged at once
    assert complaint.description == "企业反映审批材料多次被退回，希望说明原因。"
    assert first.json()["reference"].startswith("TS-")
    assert "李四" not in first.content.decode() and "13900002222" not in first.content.decode()
    assert complaint.events.filter(action="submit").count() == 1


def test_the_same_ticket_id_from_another_integration_is_another_complaint(hotline, make_integration, api):
    other = make_integration("complaint_handler", "yshj", scopes=["complaints:intake"])
    assert api(hotline).post("/api/v1/complaints/hotline/", _payload()).status_code == 201
    assert api(other).post("/api/v1/complaints/hotline/", _payload()).status_code == 201
    assert Complaint.objects.count() == 2
    # ... and neither sees the other's ticket.
    ticket = api(other).get("/api/v1/complaints/hotline/GD20260301-0001/").json()
    assert ticket["reference"] == Complaint.objects.latest("pk").reference


def test_intake_stores_checked_attachments_encrypted(hotline, api):
    attachment = {"filename": "scan.png", "content_base64": base64.b64encode(PNG).decode()}
    response = api(hotline).post("/api/v1/complaints/hotline/", _payload(attachments=[attachment]))
    assert response.status_code == 201, response.content
    stored = ComplaintAttachment.objects.get()
    assert stored.content_type == "image/png" and stored.size == len(PNG)
    with stored.file.open("rb") as handle:
        assert PNG not in handle.read()


@pytest.mark.parametrize(
    "attachments,field",
    [
        (
            [{"filename": "a.pdf", "content_base64": base64.b64encode(b"MZ\x90\x00program").decode()}],
            "attachments.0.content_base64",
        ),
        ([{"filename": "a.png", "content_base64": "not base64!"}], "attachments.0.content_base64"),
        ([{"filename": "a.png"}], "attachments.0.content_base64"),
        ([{"filename": f"{i}.png", "content_base64": base64.b64encode(PNG).decode()} for i in range(6)], "attachments"),
    ],
)
def test_bad_attachments_answer_400_and_file_nothing(hotline, api, attachments, field):
    response = api(hotline).post("/api/v1/complaints/hotline/", _payload(attachments=attachments))
    assert response.status_code == 400
    assert field in error(response)["fields"]
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"hotline_id": "has space"}, "hotline_id"),
        ({"kind": "nope"}, "kind"),
        ({"description": "   "}, "description"),
        ({"received_at": "2999-01-01T00:00:00+08:00"}, "received_at"),
        ({"complainant_email": "not-an-email"}, "complainant_email"),
    ],
)
def test_bad_intake_answers_400_with_the_field(hotline, api, fields, field):
    response = api(hotline).post("/api/v1/complaints/hotline/", _payload(**fields))
    assert response.status_code == 400
    assert field in error(response)["fields"]


def test_status_shows_the_public_timeline_and_the_reply_with_an_access_event(hotline, api, handler):
    from clients.models import Department

    client = api(hotline)
    client.post("/api/v1/complaints/hotline/", _payload())
    complaint = Complaint.objects.get()
    complaint_services.complaint_note(complaint=complaint, actor=handler, text="内部备注：勿外传")
    url = "/api/v1/complaints/hotline/GD20260301-0001/"
    body = client.get(url).json()
    assert body["status"] == "received" and [e["action"] for e in body["timeline"]] == ["submit"]
    assert not AccessEvent.objects.filter(user=hotline.service_user).exists()
    yshj = Department.objects.get(code="yshj")
    complaint_services.complaint_assign(complaint=complaint, actor=handler, department=yshj, handler=handler)
    complaint_services.complaint_start(complaint=complaint, actor=handler)
    complaint_services.complaint_reply(complaint=complaint, actor=handler, text="已协调审批窗口，一次性告知所需材料。")
    body = client.get(url).json()
    assert body["status"] == "replied" and body["status_label"] == "已答复"
    reply = [e for e in body["timeline"] if e["action"] == "reply"]
    assert reply[0]["message"] == "已协调审批窗口，一次性告知所需材料。"
    assert "内部备注" not in str(body)
    event = AccessEvent.objects.get(user=hotline.service_user, action="view")
    assert event.object_id == str(complaint.pk) and event.detail["integration"] == "hotline"


def test_status_of_an_unknown_or_foreign_ticket_is_404(hotline, api):
    response = api(hotline).get("/api/v1/complaints/hotline/NOPE-1/")
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"

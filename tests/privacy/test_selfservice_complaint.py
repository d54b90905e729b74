"""A complaint filed from the self-service page: the person chooses its category, sees its tracking
link once and finds it on their page; staff see a named (not anonymous) complainant, confidential
to the department complained about as for every complaint."""

import re

import pytest

from complaints.models import Complaint, ComplaintCategory, ComplaintKind
from privacy.selfservice import services as link_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def path(contact):
    return link_services.selfservice_link(contact)


def _file(client, path, category_code="policy"):
    category = ComplaintCategory.objects.get(code=category_code)
    kind = ComplaintKind.objects.get(code="complaint")
    return client.post(
        path + "complaint/",
        {"kind": kind.pk, "category": category.pk, "description": "招商时承诺的政策补贴至今没有兑现。"},
    )


def test_form_lets_the_person_choose_type_and_category(client, path):
    body = client.get(path + "complaint/").content.decode()
    assert 'name="category"' in body and 'name="kind"' in body
    for category in ComplaintCategory.objects.filter(is_active=True):
        assert category.name in body


def test_missing_category_is_asked_for_next_to_the_field(client, path):
    response = client.post(path + "complaint/", {"description": "招商时承诺的政策补贴至今没有兑现。"})
    assert response.status_code == 200 and "请选择诉求分类" in response.content.decode()
    assert not Complaint.objects.exists()


def test_filed_complaint_keeps_category_contact_and_shows_its_tracking_link(client, contact, path):
    response = _file(client, path, "policy")
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.contact_id == contact.pk and complaint.channel == "selfservice"
    assert complaint.category.code == "policy"  # not forced to the privacy category
    assert not complaint.is_anonymous and complaint.complainant_name == contact.name
    body = response.content.decode()
    assert complaint.reference in body and "no-store" in response["Cache-Control"]
    link = re.search(r'id="tracking-link"[^>]*href="([^"]+)"', body).group(1)
    tracked = client.get(link.replace("http://testserver", ""))
    assert tracked.status_code == 200 and complaint.reference in tracked.content.decode()


def test_the_complaint_appears_on_the_persons_page(client, path):
    _file(client, path)
    complaint = Complaint.objects.get()
    body = client.get(path).content.decode()
    assert complaint.reference in body and "已受理" in body


def test_staff_see_a_named_complainant_confidential_to_the_department(client_for, org, path, client):
    from django.contrib.auth import get_user_model

    from clients.models import Department
    from complaints import services

    _file(client, path)
    complaint = Complaint.objects.get()
    office = client_for(org["handler"]).get(f"/complaints/{complaint.pk}/").content.decode()
    assert "匿名" not in office and "张*" in office  # masked, revealable by the office
    services.complaint_assign(
        complaint=complaint,
        actor=org["handler"],
        department=Department.objects.get(code="zs1"),
        handler=org["officer1"],
    )
    assigned = client_for(org["officer1"]).get(f"/complaints/{complaint.pk}/").content.decode()
    assert "（保密）" in assigned and "张三丰" not in assigned and "张*" not in assigned
    assert get_user_model().objects.filter(username="officer1").exists()

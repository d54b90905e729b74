"""No duplicate people: the same mobile or e-mail is found by blind index when a contact is added.
Inside the user's scope the record is offered; outside, only the department and a 协办 request."""

import pytest
from django.core import mail
from django.urls import reverse

from clients import people, services
from clients.models import Contact

FORM = {"source": "client", "purpose": "investment_liaison"}


@pytest.fixture
def registered(officer2, make_enterprise):
    """A person registered by 招商二局 (officer2), outside 招商一局's scope."""
    enterprise = make_enterprise(officer2, name="二局机密客户有限公司")
    return services.contact_create(
        user=officer2,
        enterprise=enterprise,
        name="欧阳秘密",
        mobile="13900001111",
        email="secret.person@example.com",
        position="董事长助理",
        source="client",
        purpose="investment_liaison",
    )


def test_person_in_scope_is_offered_to_use(client_for, officer1, make_enterprise):
    first = make_enterprise(officer1)
    existing = services.contact_create(
        user=officer1,
        enterprise=first,
        name="张三",
        mobile="13811112222",
        source="client",
        purpose="investment_liaison",
    )
    second = make_enterprise(officer1)
    client = client_for(officer1)
    url = reverse("clients:contact_create", args=[second.pk])
    response = client.post(url, {**FORM, "name": "张三", "mobile": "138 1111 2222"})
    body = response.content.decode()
    assert response.status_code == 200 and 'id="person-matches"' in body
    assert reverse("clients:contact_detail", args=[existing.pk]) in body and "使用此人" in body
    assert Contact.objects.count() == 1
    # the officer confirms it is someone else: created
    response = client.post(url, {**FORM, "name": "张三", "mobile": "13811112222", "confirm_new_person": "1"})
    assert response.status_code == 302 and Contact.objects.count() == 2


def test_person_outside_scope_names_only_the_department(client_for, officer1, registered, make_enterprise):
    mine = make_enterprise(officer1)
    client = client_for(officer1)
    response = client.post(
        reverse("clients:contact_create", args=[mine.pk]),
        {**FORM, "name": "另一个名字", "email": "Secret.Person@example.com"},
    )
    body = response.content.decode()
    assert "该人员已在「招商二局」登记" in body and "申请协办" in body
    for leaked in (
        "欧阳",
        "秘密",
        "139****1111",
        "1111",
        "secret.person",
        "董事长助理",
        "二局机密客户",
        f"/clients/contacts/{registered.pk}/",
        f"/clients/enterprises/{registered.enterprise_id}/",
    ):
        assert leaked not in body, leaked
    assert Contact.objects.count() == 1


def test_collaboration_request_reaches_the_owner_without_showing_the_record(
    client_for, officer1, officer2, registered, make_enterprise, django_capture_on_commit_callbacks
):
    mine = make_enterprise(officer1)
    token = people.find_person(officer1, mobile="13900001111").outside[0]["token"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(officer1).post(
            reverse("clients:contact_request_collaboration", args=[token]), {"back": str(mine.pk)}, follow=True
        )
    body = response.content.decode()
    assert "已向该人员所在记录的负责人发送协办申请" in body and "二局机密客户" not in body
    assert [m.to for m in mail.outbox] == [[officer2.email]]
    # the token is the requester's alone
    assert client_for(officer2).post(reverse("clients:contact_request_collaboration", args=[token])).status_code == 404


def test_find_person_matches_mobile_or_email_normalised(officer1, officer2, registered):
    assert people.find_person(officer2, mobile="+86 139-0000-1111").inside == [registered]
    assert people.find_person(officer2, email="SECRET.PERSON@EXAMPLE.COM").inside == [registered]
    assert not people.find_person(officer2, mobile="13900001112")
    assert [o["department"] for o in people.find_person(officer1, mobile="13900001111").outside] == ["招商二局"]

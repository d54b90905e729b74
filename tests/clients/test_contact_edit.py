"""Editing a contact never shows a stored personal value in clear; a contact under a legal hold is read-only."""

import pytest
from django.urls import reverse

from clients import services
from clients.models import Contact

NAME, MOBILE, EMAIL, ID_NUMBER, WECHAT = "王小明", "13912345678", "xm@example.com", "11010519491231002X", "wx_wang88"


@pytest.fixture
def contact(officer1, make_enterprise):
    return services.contact_create(
        user=officer1,
        enterprise=make_enterprise(officer1),
        name=NAME,
        mobile=MOBILE,
        email=EMAIL,
        wechat=WECHAT,
        id_number=ID_NUMBER,
        source="client",
        purpose="investment_liaison",
    )


def _url(contact):
    return reverse("clients:contact_edit", args=[contact.pk])


def _post(client, contact, **data):
    base = {"source": "client", "purpose": "investment_liaison", "position": "总经理"}
    return client.post(_url(contact), {**base, **data})


@pytest.mark.parametrize("persona", ["officer1", "head1"])
def test_edit_page_shows_only_masked_values(org, contact, client_for, persona):
    body = client_for(org[persona]).get(_url(contact)).content.decode()
    for clear in (NAME, MOBILE, EMAIL, ID_NUMBER, WECHAT):
        assert clear not in body
    assert "139****5678" in body and "x***@example.com" in body and "王*" in body
    assert 'value="13912345678"' not in body


def test_empty_inputs_keep_the_stored_values(officer1, contact, client_for):
    response = _post(client_for(officer1), contact)
    assert response.status_code == 302
    fresh = Contact.objects.get(pk=contact.pk)
    assert (fresh.name, fresh.mobile, fresh.email, fresh.id_number, fresh.wechat) == (
        NAME,
        MOBILE,
        EMAIL,
        ID_NUMBER,
        WECHAT,
    )
    assert fresh.position == "总经理"


def test_a_new_value_replaces_and_a_ticked_box_deletes(officer1, contact, client_for):
    response = _post(client_for(officer1), contact, mobile="13800001111", clear_email="on")
    assert response.status_code == 302
    fresh = Contact.objects.get(pk=contact.pk)
    assert fresh.mobile == "13800001111" and fresh.email == "" and fresh.name == NAME
    assert fresh.mobile_index == Contact._meta.get_field("mobile_index").digest("13800001111")


def test_new_value_and_delete_together_is_refused_next_to_the_field(officer1, contact, client_for):
    response = _post(client_for(officer1), contact, email="new@example.com", clear_email="on")
    assert response.status_code == 200
    assert "不能同时填写新值和删除现有信息" in response.content.decode()
    assert Contact.objects.get(pk=contact.pk).email == EMAIL


def test_invalid_new_mobile_gets_a_message_not_a_save(officer1, contact, client_for):
    response = _post(client_for(officer1), contact, mobile="abc")
    assert response.status_code == 200 and "请输入有效的手机号" in response.content.decode()
    assert Contact.objects.get(pk=contact.pk).mobile == MOBILE


def _hold(contact, officer1, how):
    if how == "flag":
        Contact.objects.filter(pk=contact.pk).update(legal_hold=True)
    else:
        from privacy.models import LegalHold

        LegalHold.objects.create(contact=contact, reason="诉讼", placed_by=officer1)


@pytest.mark.parametrize("how", ["flag", "hold"])
def test_held_contact_is_read_only(officer1, contact, client_for, how):
    _hold(contact, officer1, how)
    client = client_for(officer1)
    page = client.get(_url(contact))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="contact-held"' in body and '<form method="post" novalidate' not in body
    refused = _post(client, contact, mobile="13800001111", position="改了")
    assert refused.status_code == 403
    fresh = Contact.objects.get(pk=contact.pk)
    assert fresh.mobile == MOBILE and fresh.position == ""
    detail = client.get(reverse("clients:contact_detail", args=[contact.pk])).content.decode()
    assert f'href="{_url(contact)}"' not in detail


def test_held_contact_refused_by_the_service_too(officer1, contact):
    from django.core.exceptions import PermissionDenied

    _hold(contact, officer1, "hold")
    with pytest.raises(PermissionDenied):
        services.contact_update(user=officer1, contact=contact, position="x")


def test_other_department_gets_404(officer2, contact, client_for):
    assert client_for(officer2).get(_url(contact)).status_code == 404
    assert _post(client_for(officer2), contact, mobile="13800001111").status_code == 404

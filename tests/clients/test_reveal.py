"""Revealing a masked field: purpose required, role per field, access event, daily limit, no caching."""

import pytest
from django.urls import reverse

from audit.models import AccessEvent, AccessSubject
from clients import services


@pytest.fixture
def contact(officer1, make_enterprise):
    enterprise = make_enterprise(officer1)
    return services.contact_create(
        user=officer1,
        enterprise=enterprise,
        name="王小明",
        mobile="13912345678",
        email="xm@example.com",
        id_number="11010519491231002X",
        source="client",
        purpose="investment_liaison",
    )


def _reveal(client, contact, field, **data):
    data.setdefault("purpose", "call")
    return client.post(reverse("clients:contact_reveal", args=[contact.pk, field]), data)


def test_detail_page_shows_masked_values_and_logs_a_view(officer1, contact, client_for):
    response = client_for(officer1).get(reverse("clients:contact_detail", args=[contact.pk]))
    body = response.content.decode()
    assert "139****5678" in body
    assert "13912345678" not in body and "王小明" not in body
    event = AccessEvent.objects.get(action="view", user=officer1)
    assert list(AccessSubject.objects.filter(event=event).values_list("contact_id", flat=True)) == [contact.pk]


def test_reveal_returns_value_and_writes_access_event(officer1, contact, client_for):
    response = _reveal(client_for(officer1), contact, "mobile", note="约见面")
    assert response.status_code == 200
    assert "13912345678" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    event = AccessEvent.objects.get(action="reveal")
    assert event.user == officer1
    assert event.detail == {"field": "mobile"}
    assert "电话联系客户" in event.purpose and "约见面" in event.purpose
    assert "13912345678" not in str(event.detail) + event.purpose
    assert event.subjects.get().contact_id == contact.pk


def test_reveal_without_purpose_is_refused(officer1, contact, client_for):
    response = _reveal(client_for(officer1), contact, "mobile", purpose="")
    assert response.status_code == 400
    assert "13912345678" not in response.content.decode()
    assert not AccessEvent.objects.filter(action="reveal").exists()


def test_other_purpose_needs_an_explanation(officer1, contact, client_for):
    response = _reveal(client_for(officer1), contact, "mobile", purpose="other")
    assert response.status_code == 400
    assert "说明" in response.content.decode()


def test_officer_may_not_reveal_id_number_but_head_may(officer1, head1, contact, client_for):
    refused = _reveal(client_for(officer1), contact, "id_number")
    assert refused.status_code == 403
    assert "11010519491231002X" not in refused.content.decode()
    allowed = _reveal(client_for(head1), contact, "id_number")
    assert allowed.status_code == 200 and "11010519491231002X" in allowed.content.decode()


def test_out_of_scope_reveal_is_404_and_logs_nothing(officer2, contact, client_for):
    assert _reveal(client_for(officer2), contact, "mobile").status_code == 404
    assert not AccessEvent.objects.filter(action="reveal").exists()


def test_daily_limit_is_enforced_with_a_clear_message(officer1, contact, client_for, settings):
    settings.REVEAL_DAILY_LIMIT = 2
    client = client_for(officer1)
    assert _reveal(client, contact, "mobile").status_code == 200
    assert _reveal(client, contact, "email").status_code == 200
    third = _reveal(client, contact, "name")
    assert third.status_code == 429
    assert "上限" in third.content.decode() and "王小明" not in third.content.decode()
    assert AccessEvent.objects.filter(action="reveal").count() == 2


def test_search_by_exact_mobile_and_email_uses_blind_index_in_scope(officer1, officer2, contact, client_for):
    url = reverse("clients:search")
    found = client_for(officer1).get(url, {"q": "139 1234 5678"}).content.decode()
    assert reverse("clients:contact_detail", args=[contact.pk]) in found
    by_email = client_for(officer1).get(url, {"q": "XM@example.com"}).content.decode()
    assert reverse("clients:contact_detail", args=[contact.pk]) in by_email
    other = client_for(officer2).get(url, {"q": "13912345678"}).content.decode()
    assert reverse("clients:contact_detail", args=[contact.pk]) not in other

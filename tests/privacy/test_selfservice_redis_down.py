"""The self-service page while Redis refuses connections: the per-IP limit is not counted (a warning
says so), the page opens and what the person submits — a consent, a complaint — is saved."""

import logging

import pytest

from complaints.models import Complaint, ComplaintCategory, ComplaintKind
from privacy.models import ConsentEvent
from privacy.selfservice import services as link_services

pytestmark = [pytest.mark.django_db, pytest.mark.faults]


def test_page_and_its_forms_work_with_redis_down(client, contact, redis_down, caplog):
    path = link_services.selfservice_link(contact)
    with caplog.at_level(logging.WARNING, logger="zhaoshang.core.ratelimit"):
        page = client.get(path)
    assert page.status_code == 200 and "撤回全部同意" in page.content.decode()
    assert any("selfservice" in r.getMessage() for r in caplog.records if r.name == "zhaoshang.core.ratelimit")

    granted = client.post(path + "consent/", {"purpose": "policy_push", "action": "grant"})
    assert granted.status_code == 302 and ConsentEvent.objects.filter(contact=contact, action="granted").exists()

    filed = client.post(
        path + "complaint/",
        {
            "kind": ComplaintKind.objects.get(code="complaint").pk,
            "category": ComplaintCategory.objects.get(code="policy").pk,
            "description": "招商时承诺的政策补贴至今没有兑现。",
        },
    )
    assert filed.status_code == 200 and Complaint.objects.filter(contact=contact).count() == 1

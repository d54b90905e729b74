"""Helpers of the [H] package and erasure tests: a person with a history, and a second person."""

import datetime

from clients import services as client_services
from clients.models import Contact
from complaints.models import ComplaintCategory, ComplaintKind
from complaints.services import complaint_submit
from privacy.consent.models import Channel, Purpose
from privacy.consent.services import consent_grant
from privacy.requests.services import subject_request_create
from privacy.sharing import services as sharing

from . import sharing_factories as f


def with_history(person, officer, *, note):
    """Give `person` a project with a follow-up, a consent, a complaint and an access request.
    `note` is written into the follow-up, the complaint and the request."""
    project = client_services.project_create(user=officer, enterprise=person.enterprise, title=f"项目{note}")
    client_services.followup_create(
        user=officer, project=project, date=datetime.date(2026, 11, 2), method="visit", summary=f"跟进{note}"
    )
    purpose = (
        Purpose.objects.filter(
            is_active=True, legal_basis="consent", requires_separate_consent=False, provides_to_others=False
        )
        .order_by("order")
        .first()
    )
    consent_grant(contact=person, purpose=purpose, channel=Channel.SELFSERVICE)
    complaint_submit(
        kind=ComplaintKind.objects.get(code="complaint"),
        category=ComplaintCategory.objects.filter(is_active=True).first(),
        description=f"投诉{note}",
        channel="web",
        contact=person,
    )
    return subject_request_create(contact=person, kind="access", details=f"请求{note}")


def share_of(dpo, officer, people):
    partner, agreement, _assessment, purpose = f.ready(dpo)
    for person in people:
        f.grant_for(person, purpose, partner)
    return sharing.share_create(
        user=officer,
        partner=partner,
        agreement=agreement,
        purpose=purpose,
        fields=["name", "mobile", "enterprise"],
        contacts=Contact.objects.filter(pk__in=[p.pk for p in people]),
    )

"""Partners, agreements, shares and assessments are in the admin console (shares and assessments read-only)."""

import pytest
from django.contrib.auth import get_user_model

from clients.models import Contact
from privacy.sharing import services

from . import sharing_factories as f

pytestmark = pytest.mark.django_db


def test_admin_console_lists_and_opens_every_sharing_and_assessment_record(dpo, officer1, make_contact, client):
    partner, agreement, assessment, purpose = f.ready(dpo)
    person = make_contact()
    f.grant_for(person, purpose, partner)
    share = services.share_create(
        user=officer1,
        partner=partner,
        agreement=agreement,
        purpose=purpose,
        fields=["name"],
        contacts=Contact.objects.filter(pk=person.pk),
    )
    superuser = get_user_model().objects.create_superuser("root-i", password="x-very-long-password-1")
    client.force_login(superuser)
    mitigation = assessment.risks.get().mitigations.get()
    for model, obj in (
        ("partner", partner),
        ("agreement", agreement),
        ("datashare", share),
        ("impactassessment", assessment),
        ("mitigation", mitigation),
    ):
        listing = client.get(f"/admin/privacy/{model}/")
        assert listing.status_code == 200, model
        page = client.get(f"/admin/privacy/{model}/{obj.pk}/change/")
        assert page.status_code == 200, model
    body = client.get(f"/admin/privacy/datashare/{share.pk}/change/").content.decode()
    assert 'name="_save"' not in body  # the record of a share cannot be edited
    assert client.get("/admin/privacy/datashare/add/").status_code == 403

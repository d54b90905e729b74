"""Partner, agreement, assessment and share pages: who may open them, the share flow through the
page, and the recipient file (encrypted at rest, exactly the chosen fields, downloadable once)."""

import io

import openpyxl
import pytest

from audit.models import AccessEvent
from privacy import files
from privacy.sharing.models import DataShare

from . import sharing_factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(dpo, make_contact):
    partner, agreement, assessment, purpose = f.ready(dpo)
    people = [make_contact(name='=HYPERLINK("x")' if i == 0 else f"李{i}", position="经理") for i in range(3)]
    for person in people:
        f.grant_for(person, purpose, partner)
    return {"partner": partner, "agreement": agreement, "assessment": assessment, "purpose": purpose, "people": people}


GOVERNANCE_PAGES = [
    "/privacy/partners/",
    "/privacy/partners/new/",
    "/privacy/partners/{partner}/",
    "/privacy/partners/{partner}/edit/",
    "/privacy/partners/{partner}/evaluate/",
    "/privacy/partners/{partner}/agreements/new/",
    "/privacy/agreements/",
    "/privacy/agreements/{agreement}/",
    "/privacy/agreements/{agreement}/terminate/",
    "/privacy/assessments/",
    "/privacy/assessments/new/",
    "/privacy/assessments/{assessment}/",
    "/privacy/assessments/{assessment}/print/",
]


def _url(template, world):
    return template.format(
        partner=world["partner"].pk, agreement=world["agreement"].pk, assessment=world["assessment"].pk
    )


@pytest.mark.parametrize("template", GOVERNANCE_PAGES)
def test_governance_pages_need_login_and_are_404_without_permission(template, world, client_for, officer1, handler):
    url = _url(template, world)
    response = client_for(None).get(url)
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    assert client_for(officer1).get(url).status_code == 404
    assert client_for(handler).get(url).status_code == 404


@pytest.mark.parametrize("template", GOVERNANCE_PAGES)
def test_privacy_officer_opens_every_governance_page(template, world, client_for, dpo):
    response = client_for(dpo).get(_url(template, world))
    assert response.status_code == 200
    assert "<html" in response.content.decode()


@pytest.mark.parametrize(
    "template",
    [
        t
        for t in GOVERNANCE_PAGES
        if "new" not in t and "edit" not in t and "evaluate" not in t and "terminate" not in t
    ],
)
def test_auditor_reads_but_cannot_change(template, world, client_for, auditor):
    client = client_for(auditor)
    assert client.get(_url(template, world)).status_code == 200
    assert client.get(f"/privacy/partners/{world['partner'].pk}/edit/").status_code == 403
    response = client.post(f"/privacy/partners/{world['partner'].pk}/vet/", {"status": "rejected"})
    assert response.status_code == 403


def test_partner_contact_is_masked_on_the_page_and_encrypted_in_the_database(world, client_for, dpo):
    from django.db import connection

    body = client_for(dpo).get(f"/privacy/partners/{world['partner'].pk}/").content.decode()
    assert "0512-66881234" not in body and "王经理" not in body
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone, contact_person FROM privacy_partner WHERE id = %s", [world["partner"].pk])
        phone, person = cursor.fetchone()
    assert "66881234" not in phone and "王" not in person


def test_share_pages_scope(world, client_for, officer1, officer2, handler, dpo):
    from privacy.sharing import services

    share = services.share_create(
        user=officer1,
        partner=world["partner"],
        agreement=world["agreement"],
        purpose=world["purpose"],
        fields=["name"],
        contacts=type(world["people"][0]).objects.filter(pk__in=[p.pk for p in world["people"]]),
    )
    url = f"/privacy/shares/{share.pk}/"
    assert client_for(None).get(url).status_code == 302
    assert client_for(handler).get(url).status_code == 404  # no permission
    assert client_for(officer2).get(url).status_code == 404  # another officer's share
    assert client_for(officer1).get(url).status_code == 200
    assert client_for(dpo).get(url).status_code == 200
    assert client_for(handler).get("/privacy/shares/new/").status_code == 404
    assert client_for(officer1).get("/privacy/shares/new/").status_code == 200
    listing = client_for(officer2).get("/privacy/shares/").content.decode()
    assert share.reference not in listing


def test_share_through_the_page_previews_then_confirms_and_the_file_is_downloaded_once(
    world, client_for, officer1, dpo, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    client = client_for(officer1)
    people = world["people"]
    data = {
        "partner": world["partner"].pk,
        "agreement": world["agreement"].pk,
        "purpose": world["purpose"].pk,
        "fields": ["name", "position"],
        "mode": "selection",
        "contacts": [p.pk for p in people],
    }
    preview = client.post("/privacy/shares/new/", data)
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "符合条件：3 人" in body and not DataShare.objects.exists()
    response = client.post("/privacy/shares/new/", {**data, "confirm": "1"})
    share = DataShare.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/privacy/shares/{share.pk}/"
    # stored encrypted under the share's key: no xlsx (zip) header, the zsf1 header instead
    with default_storage.open(share.file.name, "rb") as handle:
        blob = handle.read()
    assert files.looks_encrypted(blob[:16]) and b"PK\x03\x04" not in blob[:64]
    # not the privacy officer's to download
    refused = client_for(dpo).post(f"/privacy/shares/{share.pk}/download/")
    assert refused.status_code == 302
    client = client_for(officer1)
    stored = share.file.name
    with django_capture_on_commit_callbacks(execute=True):
        download = client.post(f"/privacy/shares/{share.pk}/download/")
    assert download.status_code == 200 and download["Cache-Control"].startswith("no-store")
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("姓名", "职务")
    assert len(rows) == 4
    assert ('\'=HYPERLINK("x")', "经理") in rows  # a formula is neutralised
    again = client.post(f"/privacy/shares/{share.pk}/download/", follow=True)
    assert "已下载过" in again.content.decode()
    share.refresh_from_db()
    assert share.status == "downloaded" and not share.file
    assert not default_storage.exists(stored)  # the only copy is gone
    assert AccessEvent.objects.filter(action="share", object_id=str(share.pk)).count() == 3


def test_share_page_shows_the_exclusions_and_requires_the_tick(world, client_for, officer1, make_contact):
    lacking = make_contact()
    client = client_for(officer1)
    data = {
        "partner": world["partner"].pk,
        "agreement": world["agreement"].pk,
        "purpose": world["purpose"].pk,
        "fields": ["name"],
        "mode": "selection",
        "contacts": [p.pk for p in world["people"]] + [lacking.pk],
    }
    body = client.post("/privacy/shares/new/", {**data, "confirm": "1"}).content.decode()
    assert "确认排除" in body and "将被排除" in body and not DataShare.objects.exists()
    response = client.post("/privacy/shares/new/", {**data, "confirm": "1", "confirmed_exclusions": "1"})
    assert response.status_code == 302
    assert DataShare.objects.get().person_count == 3


def test_refusal_is_shown_in_chinese_on_the_page_not_a_500(world, client_for, officer1, dpo):
    from privacy.sharing import services

    services.agreement_terminate(agreement=world["agreement"], user=dpo, reason="合作结束")
    data = {
        "partner": world["partner"].pk,
        "agreement": world["agreement"].pk,
        "purpose": world["purpose"].pk,
        "fields": ["name"],
        "mode": "selection",
        "contacts": [world["people"][0].pk],
    }
    response = client_for(officer1).post("/privacy/shares/new/", data)
    # a terminated agreement is not offered at all: the choice itself is refused next to the field
    assert response.status_code == 200
    assert not DataShare.objects.exists()

"""The record of processing activities: generated from the records, exported as xlsx (formulas
neutralised, sheet names translated) with a dated snapshot kept; who may see it."""

import io

import openpyxl
import pytest
from django.utils import translation

from privacy.models import Purpose, RopaSnapshot
from privacy.ropa import services

from . import sharing_factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url,method", [("/privacy/ropa/", "get"), ("/privacy/ropa/export/", "post")])
def test_anonymous_is_sent_to_sign_in(client, url, method):
    response = getattr(client, method)(url)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("url,method", [("/privacy/ropa/", "get"), ("/privacy/ropa/export/", "post")])
@pytest.mark.parametrize("persona", ["officer1", "head1", "handler", "outsider"])
def test_others_get_404(client, org, url, method, persona):
    client.force_login(org[persona])
    assert getattr(client, method)(url).status_code == 404
    assert not RopaSnapshot.objects.exists()


def test_export_is_post_only(client, dpo):
    client.force_login(dpo)
    assert client.get("/privacy/ropa/export/").status_code == 405


def test_the_record_is_generated_from_purposes_agreements_rules_and_transfers(dpo):
    partner, agreement, _a, purpose = f.ready(dpo)
    overseas = f.partner(dpo, overseas=True)
    hq = Purpose.objects.get(code="overseas_hq")
    f.assessment(dpo, overseas, [hq], triggers=("cross_border", "provide"))
    f.agreement(dpo, overseas, [hq], cross_border_reference="沪标合备〔2025〕002号")
    record = services.ropa_build()
    activities = {row[0]: row for row in record["activities"]["rows"]}
    assert purpose.name in activities
    assert partner.name in activities[purpose.name][4]  # recipient from the agreement in force
    assert agreement.number in activities[purpose.name][5]
    assert any(row[3] == agreement.number for row in record["recipients"]["rows"])
    assert [row[0] for row in record["cross_border"]["rows"]] == [overseas.name]
    assert "沪标合备〔2025〕002号" in record["cross_border"]["rows"][0]
    assert len(record["retention"]["rows"]) >= 1
    assert any("AES-256-GCM" in row[1] for row in record["security"]["rows"])


@pytest.mark.parametrize("persona", ["dpo", "auditor"])
def test_export_opens_with_openpyxl_and_keeps_a_snapshot(client, org, persona):
    client.force_login(org[persona])
    assert client.get("/privacy/ropa/").status_code == 200
    response = client.post("/privacy/ropa/export/")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["处理活动", "接收方与协议", "保存期限", "安全措施", "个人信息出境"]
    snapshot = RopaSnapshot.objects.get()
    assert snapshot.taken_by == org[persona]
    assert snapshot.content["activities"]["rows"] == [
        [c if c is not None else "" for c in r] for r in book["处理活动"].iter_rows(min_row=2, values_only=True)
    ]
    assert "taken_at" not in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]


def test_sheet_names_are_translated_in_english(client, dpo):
    client.force_login(dpo)
    with translation.override("en"):
        record = services.ropa_build()
    book = openpyxl.load_workbook(io.BytesIO(services.workbook_bytes(record)))
    assert book.sheetnames == [
        "Processing activities",
        "Recipients and agreements",
        "Retention period",
        "Security measures",
        "Cross-border transfers",
    ]


def test_cells_that_look_like_formulas_are_neutralised(dpo):
    purpose = Purpose.objects.get(code="policy_push")
    Purpose.objects.filter(pk=purpose.pk).update(name='=HYPERLINK("http://evil.example","x")')
    book = openpyxl.load_workbook(io.BytesIO(services.workbook_bytes(services._plain(services.ropa_build()))))
    names = [row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://evil.example","x")' in names

"""Enforcement: the outreach export follows consent at once; material policy changes ask again."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from audit.models import AccessEvent
from privacy.consent import services
from privacy.models import Channel, ConsentState, PrivacyPolicy
from privacy.requests import services as request_services

pytestmark = pytest.mark.django_db


def _export_ids(client):
    response = client.get("/privacy/outreach/export.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return {int(r[0]) for r in rows[1:]}, rows


def test_withdrawal_removes_person_from_outreach_export_at_once(client_for, officer1, make_contact):
    a, b = make_contact(), make_contact()
    for c in (a, b):
        services.consent_grant(contact=c, purpose="policy_push", channel=Channel.SELFSERVICE)
    client = client_for(officer1)
    ids, _rows = _export_ids(client)
    assert {a.pk, b.pk} <= ids
    services.consent_withdraw(contact=a, purpose="policy_push", channel=Channel.SELFSERVICE)
    ids, _rows = _export_ids(client)
    assert a.pk not in ids and b.pk in ids


def test_outreach_export_masks_neutralises_and_logs_subjects(client_for, officer1, make_contact):
    c = make_contact(name="=HYPERLINK(1)", position="+cmd")
    services.consent_grant(contact=c, purpose="policy_push", channel=Channel.SELFSERVICE)
    make_contact()  # no consent: not exported
    _ids, rows = _export_ids(client_for(officer1))
    row = next(r for r in rows[1:] if int(r[0]) == c.pk)
    assert row[3] == "'+cmd"
    assert str(c.mobile) not in row and str(c.email) not in row  # masked (officer has no clear export)
    event = AccessEvent.objects.filter(action="export").latest("pk")
    assert list(event.subjects.values_list("contact_id", flat=True)) == [c.pk]


def test_contact_without_consent_is_refused_with_chinese_message(contact):
    with pytest.raises(services.ConsentRequired) as exc:
        services.consent_require(contact, "satisfaction")
    assert "满意度回访" in exc.value.message


def _publish(dpo, *, material, version="2.0"):
    policy = PrivacyPolicy.objects.create(
        version=version,
        body_zh="新版政策",
        body_en="New policy",
        effective_date=timezone.localdate(),
        material_change=material,
    )
    return policy, services.policy_publish(policy=policy, user=dpo)


def test_material_policy_change_produces_renewal_list(dpo, make_contact, client_for):
    a, b, c = make_contact(), make_contact(), make_contact()
    for x in (a, b):
        services.consent_grant(contact=x, purpose="policy_push", channel=Channel.SELFSERVICE)
    services.consent_grant(contact=c, purpose="satisfaction", channel=Channel.SELFSERVICE)
    services.consent_withdraw(contact=b, purpose="policy_push", channel=Channel.SELFSERVICE)
    policy, count = _publish(dpo, material=True)
    assert count == 2  # a/policy_push and c/satisfaction; b withdrew
    listed = {(s.contact_id, s.purpose.code) for s in services.renewal_list(type(a).objects.all())}
    assert listed == {(a.pk, "policy_push"), (c.pk, "satisfaction")}
    response = client_for(dpo).get("/privacy/consent/renewals/")
    assert response.status_code == 200 and f"/clients/contacts/{a.pk}/" in response.content.decode()
    # renewing under the new version takes the person off the list
    services.consent_grant(contact=a, purpose="policy_push", channel=Channel.SELFSERVICE)
    state = ConsentState.objects.get(contact=a, purpose__code="policy_push")
    assert state.policy == policy and not state.needs_renewal


def test_renewal_grace_expiry_invalidates_old_consent(dpo, contact):
    services.consent_grant(contact=contact, purpose="policy_push", channel=Channel.SELFSERVICE)
    _publish(dpo, material=True)
    services.consent_require(contact, "policy_push")  # still valid during the grace period
    ConsentState.objects.filter(contact=contact).update(renewal_due_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(services.ConsentRequired):
        services.consent_require(contact, "policy_push")


def test_non_material_change_asks_nobody_again(dpo, contact):
    services.consent_grant(contact=contact, purpose="policy_push", channel=Channel.SELFSERVICE)
    _policy, count = _publish(dpo, material=False, version="1.1")
    assert count == 0
    assert not ConsentState.objects.filter(needs_renewal=True).exists()


def test_subject_request_due_date_counts_working_days(contact):
    from zhaoshang.core.calendar import add_working_days

    req = request_services.subject_request_create(contact=contact, kind="deletion", details="请删除我的手机号")
    assert req.due_date == add_working_days(req.received_at, 15)
    assert req.get_kind_display() == "删除"
    assert "请删除" in str(type(req).objects.get(pk=req.pk).details)

"""The privacy officer configures their own area in the portal: policy versions (draft, publish) and
retention rules (floors enforced by the same model check as the admin console); /admin/ tells a
signed-in user without staff status why it stays closed instead of showing a sign-in form."""

import datetime

import pytest
from django.urls import reverse

from privacy.models import ConsentState, PrivacyPolicy, RetentionRule

from . import retention_factories as f

pytestmark = pytest.mark.django_db

PAGES = [("privacy:policy_versions", ()), ("privacy:policy_new", ())]


@pytest.mark.parametrize("name,args", PAGES)
@pytest.mark.parametrize(
    "persona,status", [("dpo", 200), ("officer1", 403), ("head1", 403), ("auditor", 403), ("outsider", 403)]
)
def test_policy_pages_matrix(client_for, org, name, args, persona, status):
    assert client_for(org[persona]).get(reverse(name, args=args)).status_code == status


def test_policy_pages_need_sign_in(client_for):
    response = client_for(None).get(reverse("privacy:policy_versions"))
    assert response.status_code == 302 and "login" in response["Location"]


def _draft(client, version="2.0", material=True):
    return client.post(
        reverse("privacy:policy_new"),
        {
            "version": version,
            "title": "个人信息保护政策",
            "title_en": "Privacy Policy",
            "effective_date": datetime.date.today().isoformat(),
            "material_change": "on" if material else "",
            "summary_of_changes": "新增向合作园区提供的用途。",
            "body_zh": "{zone}依法处理您的个人信息。",
            "body_en": "",
        },
    )


def test_privacy_officer_writes_and_publishes_a_version(client_for, dpo, contact, officer1):
    from privacy.consent import services
    from privacy.models import Channel

    services.consent_grant(contact=contact, purpose="policy_push", channel=Channel.ONSITE, actor=officer1)
    client = client_for(dpo)
    assert _draft(client).status_code == 302
    draft = PrivacyPolicy.objects.get(version="2.0")
    assert draft.published_at is None
    assert "草稿" in client.get(reverse("privacy:policy_versions")).content.decode()
    response = client.post(reverse("privacy:policy_publish", args=[draft.pk]), follow=True)
    draft.refresh_from_db()
    assert draft.published_at is not None and draft.published_by == dpo
    assert "项同意需重新取得" in response.content.decode()
    assert ConsentState.objects.get(contact=contact, purpose__code="policy_push").needs_renewal
    # A published version is a record: no editing, no second publication.
    assert client.get(reverse("privacy:policy_edit", args=[draft.pk])).status_code == 404
    again = client.post(reverse("privacy:policy_publish", args=[draft.pk]), follow=True)
    assert "不能重复发布" in again.content.decode()


def test_duplicate_version_is_refused_next_to_the_field(client_for, dpo):
    client = client_for(dpo)
    _draft(client, "3.0", material=False)
    response = _draft(client, "3.0", material=False)
    assert response.status_code == 200 and "该版本号已存在" in response.content.decode()


def test_officer_cannot_publish(client_for, officer1, dpo):
    _draft(client_for(dpo), "4.0", material=False)
    draft = PrivacyPolicy.objects.get(version="4.0")
    assert client_for(officer1).post(reverse("privacy:policy_publish", args=[draft.pk])).status_code == 403
    assert PrivacyPolicy.objects.get(pk=draft.pk).published_at is None


def _rule_data(rule, **changes):
    data = {
        "name": rule.name,
        "clock_event": rule.clock_event,
        "period_days": rule.period_days,
        "action": rule.action,
        "legal_basis": rule.legal_basis,
        "active": "on" if rule.active else "",
        "order": rule.order,
    }
    data.update(changes)
    return data


def test_privacy_officer_edits_a_retention_rule_in_the_portal(client_for, dpo):
    f.seed_rules()
    rule = RetentionRule.objects.get(code="followup-notes")
    client = client_for(dpo)
    home = client.get(reverse("privacy:retention")).content.decode()
    assert "在管理后台修改" not in home and reverse("privacy:rule_edit", args=[rule.pk]) in home
    response = client.post(reverse("privacy:rule_edit", args=[rule.pk]), _rule_data(rule, period_days=800))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.period_days == 800 and rule.updated_by == dpo


def test_floor_is_enforced_with_a_message_next_to_the_field(client_for, dpo):
    f.seed_rules()
    rule = RetentionRule.objects.get(category="audit_log")
    before = rule.period_days
    response = client_for(dpo).post(reverse("privacy:rule_edit", args=[rule.pk]), _rule_data(rule, period_days=30))
    assert response.status_code == 200
    assert "至少保存 180 天" in response.content.decode()
    assert RetentionRule.objects.get(pk=rule.pk).period_days == before


@pytest.mark.parametrize("persona", ["officer1", "head1", "auditor", "outsider"])
def test_rule_edit_is_404_to_everyone_else(client_for, org, persona):
    f.seed_rules()
    rule = RetentionRule.objects.first()
    assert client_for(org[persona]).get(reverse("privacy:rule_edit", args=[rule.pk])).status_code == 404


def test_admin_tells_a_signed_in_non_staff_user_why_not(client_for, dpo):
    response = client_for(dpo).get("/admin/", follow=True)
    body = response.content.decode()
    assert response.status_code == 403
    assert 'id="admin-refused"' in body and "auth-password" not in body
    assert reverse("privacy:policy_versions") in body and reverse("privacy:retention") in body


def test_admin_still_signs_in_anonymous_visitors_and_opens_for_staff(client_for, admin_user):
    anonymous = client_for(None).get("/admin/", follow=True)
    assert anonymous.status_code == 200 and "auth-password" in anonymous.content.decode()
    assert client_for(admin_user).get("/admin/").status_code == 200

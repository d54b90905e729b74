"""The self-service page's one-statement paths answer exactly as the services they stand in for."""

import datetime

import pytest
from django.core import signing
from django.test import override_settings
from django.utils import timezone

from audit.access import record_access
from privacy.consent import services
from privacy.models import Channel, SelfServiceLink
from privacy.requests import services as request_services
from privacy.selfservice import prepared, rendering
from privacy.selfservice import services as link_services
from tests.privacy.conftest import open_link

pytestmark = pytest.mark.django_db


def token_of(path):
    return path.split("/")[2]


def nonce_of(path):
    return link_services.token_nonce(token_of(path))


def test_fast_resolve_agrees_with_the_service_on_every_kind_of_token(contact, make_contact):
    good = token_of(link_services.selfservice_link(contact))
    other = make_contact()
    expired = link_services.selfservice_link(contact)
    SelfServiceLink.objects.filter(nonce=nonce_of(expired)).update(expires_at=timezone.now() - datetime.timedelta(1))
    revoked = link_services.selfservice_link(other)
    link_services.selfservice_revoke(contact=other)
    forged = signing.TimestampSigner(salt=link_services.TOKEN_SALT).sign(nonce_of("/c/" + good + "/")[::-1])
    tokens = [good, good[:-1] + ("A" if good[-1] != "A" else "B"), token_of(expired), token_of(revoked), forged, "x"]
    answers = [prepared._resolve(t) for t in tokens]
    assert answers == [link_services.selfservice_resolve(t) for t in tokens]
    assert answers[0] == contact and answers[1:] == [None] * 5
    opened = answers[0]
    assert opened.enterprise.pk == contact.enterprise_id
    assert str(opened.mobile) == str(contact.mobile) and str(opened.name) == str(contact.name)
    with override_settings(SELFSERVICE_TOKEN_MAX_AGE_DAYS=0):
        assert prepared._resolve(good) is None


def test_fast_resolve_refuses_a_shredded_contact(contact):
    from privacy.crypto import shred_subject

    token = token_of(link_services.selfservice_link(contact))
    shred_subject(contact)
    assert prepared._resolve(token) is None and link_services.selfservice_resolve(token) is None


def _file_complaint(contact):
    from complaints.models import Channel as ComplaintChannel
    from complaints.models import ComplaintCategory, ComplaintKind
    from complaints.services import complaint_submit

    complaint_submit(
        kind=ComplaintKind.objects.get(code="complaint"),
        category=ComplaintCategory.objects.get(code="policy"),
        description="政策补贴没有兑现。",
        channel=ComplaintChannel.SELFSERVICE,
        contact=contact,
    )


def test_page_statement_matches_the_orm_derivation(contact, officer1):
    services.consent_grant(contact=contact, purpose="policy_push", channel=Channel.ONSITE, actor=officer1)
    services.consent_grant(contact=contact, purpose="satisfaction", channel=Channel.ONSITE, actor=officer1)
    services.consent_withdraw(contact=contact, purpose="satisfaction", channel=Channel.ONSITE, actor=officer1)
    request_services.subject_request_create(contact=contact, kind="access")
    record_access(officer1, "export", purpose="招商活动名单", row_count=3, subject_ids=[contact.pk])
    record_access(officer1, "reveal", contact, purpose="电话联系", subject_ids=[contact.pk])
    record_access(officer1, "view", contact, subject_ids=[contact.pk])
    record_access(None, "selfservice_view", contact, subject_ids=[contact.pk])
    _file_complaint(contact)
    sql = prepared._page_rows(contact)
    orm = prepared._page_rows_orm(contact)
    assert [list(part) if isinstance(part, list) else part for part in sql] == list(orm)
    purposes, history, uses, months, requests, _policy, complaints, recipients = sql
    assert len(purposes) == 5
    assert len(history) == 3 and len(requests) == 1 and len(complaints) == 1
    assert [u[1:] for u in uses] == [["export", "招商活动名单", None]]  # own page views are not "uses"
    assert recipients == []  # [I] no partner has an agreement to receive data yet
    assert sorted(m[1:] for m in months) == [["reveal", 1], ["view", 1]]


def test_page_shows_history_uses_and_counts(client, contact, officer1):
    services.consent_grant(contact=contact, purpose="policy_push", channel=Channel.ONSITE, actor=officer1)
    record_access(officer1, "share", purpose="园区对接", subject_ids=[contact.pk])
    record_access(officer1, "reveal", contact, purpose="电话联系", subject_ids=[contact.pk])
    body = client.get(link_services.selfservice_link(contact), follow=True).content.decode()
    assert "园区对接" in body and "向谁提供了您的信息" in body  # [I] shares are listed with their recipient
    assert "现场" in body and "已同意" in body  # history channel, state
    assert timezone.localtime().strftime("%Y-%m") in body  # the month row of the reveal


def test_page_costs_a_fixed_number_of_queries(client, contact, officer1, django_assert_max_num_queries):
    path = open_link(client, link_services.selfservice_link(contact))
    for _ in range(5):
        services.consent_grant(contact=contact, purpose="policy_push", channel=Channel.ONSITE, actor=officer1)
        record_access(officer1, "reveal", contact, purpose="电话联系", subject_ids=[contact.pk])
        client.get(path)
    with django_assert_max_num_queries(1):  # token, contact, access event and page data: one statement
        assert client.get(path).status_code == 200


@pytest.mark.parametrize(
    ("language", "title", "withdraw_all"),
    [
        ("zh-hans", "您的个人信息与授权", "撤回全部同意"),
        ("en", "Your personal information and consents", "Withdraw all"),
    ],
)
def test_fixed_wording_is_complete_and_follows_the_language(client, contact, language, title, withdraw_all):
    import re
    from pathlib import Path

    from django.conf import settings as django_settings
    from django.utils import translation

    template = Path(django_settings.BASE_DIR, "templates/privacy/selfservice/home.html").read_text()
    used = set(re.findall(r"{{ w\.(\w+) }}", template))
    with translation.override(language):
        wording = rendering._wording(translation.get_language(), django_settings.ZONE_NAME)
    assert used <= set(wording) and all(wording[key].strip() for key in used)
    client.cookies["django_language"] = language
    body = client.get(link_services.selfservice_link(contact), follow=True).content.decode()
    assert title in body and withdraw_all in body and django_settings.ZONE_NAME in body


def test_every_form_on_the_page_carries_the_csrf_token(client, contact):
    import re

    path = open_link(client, link_services.selfservice_link(contact))
    client.get(path)  # sets the CSRF cookie
    body = client.get(path).content.decode()
    forms = re.findall(r"<form method=\"post\".*?</form>", body, flags=re.S)
    # two purposes that need consent (the two that provide to others have no recipient yet), withdraw
    # all ([H] the request buttons are links to each kind's own form)
    assert len(forms) == 3
    assert all(re.search(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"', form) for form in forms)

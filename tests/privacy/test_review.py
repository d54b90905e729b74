"""Policy and law review: the policy's next review date and the laws register, with reminders."""

import datetime

import pytest
from django.utils import timezone

from privacy.models import LawEntry, PolicyReview
from privacy.review import services
from privacy.review.tasks import send_review_reminders
from zhaoshang.core.notifications.models import Notification

pytestmark = pytest.mark.django_db

PAGES = [
    ("/privacy/review/", "get"),
    ("/privacy/review/policy/", "post"),
    ("/privacy/review/laws/new/", "get"),
]


@pytest.mark.parametrize("url,method", PAGES)
def test_anonymous_is_sent_to_sign_in(client, url, method):
    response = getattr(client, method)(url)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("url,method", PAGES)
@pytest.mark.parametrize("persona", ["officer1", "head1", "outsider"])
def test_others_get_404(client, org, url, method, persona):
    client.force_login(org[persona])
    assert getattr(client, method)(url).status_code == 404


def test_auditor_reads_the_register_but_cannot_change_it(client, auditor):
    client.force_login(auditor)
    html = client.get("/privacy/review/").content.decode()
    assert "中华人民共和国个人信息保护法" in html
    entry = LawEntry.objects.first()
    assert client.get(f"/privacy/review/laws/{entry.pk}/edit/").status_code == 404
    assert client.post("/privacy/review/policy/", {}).status_code == 404
    assert not PolicyReview.objects.exists()


def test_an_unknown_entry_is_404(client, dpo):
    client.force_login(dpo)
    assert client.get("/privacy/review/laws/999999/review/").status_code == 404


def test_privacy_officer_records_a_policy_review(client, dpo):
    client.force_login(dpo)
    today = timezone.localdate()
    response = client.post(
        "/privacy/review/policy/",
        {"reviewed_on": today, "next_review_date": today + datetime.timedelta(days=365), "note": "无需修订"},
    )
    assert response.status_code == 302
    review = PolicyReview.objects.get()
    assert review.reviewed_by == dpo and review.policy is not None
    assert f"{review.next_review_date:%Y-%m-%d}" in client.get("/privacy/review/").content.decode()


def test_a_next_review_date_before_the_review_is_refused_with_a_message(client, dpo):
    client.force_login(dpo)
    today = timezone.localdate()
    response = client.post("/privacy/review/policy/", {"reviewed_on": today, "next_review_date": today}, follow=True)
    assert "下次复核日期须晚于本次复核日期" in response.content.decode()
    assert not PolicyReview.objects.exists()
    response = client.post("/privacy/review/policy/", {"reviewed_on": "not a date"}, follow=True)
    assert response.status_code == 200 and not PolicyReview.objects.exists()


def test_privacy_officer_adds_and_reviews_a_law(client, dpo):
    client.force_login(dpo)
    today = timezone.localdate()
    response = client.post(
        "/privacy/review/laws/new/",
        {
            "name": "数据出境安全评估办法",
            "kind": "regulation",
            "effective_date": "2022-09-01",
            "changes": "出境安全评估的情形和程序。",
            "next_review_date": today + datetime.timedelta(days=30),
            "active": "on",
        },
    )
    assert response.status_code == 302
    entry = LawEntry.objects.get(name="数据出境安全评估办法")
    response = client.post(
        f"/privacy/review/laws/{entry.pk}/review/",
        {"reviewed_on": today, "next_review_date": today + datetime.timedelta(days=365), "note": "已对照出境流程"},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.reviewed_on == today and entry.review_note == "已对照出境流程"


def test_reminders_go_to_the_privacy_officer_once_per_due_date(dpo):
    today = timezone.localdate()
    PolicyReview.objects.create(
        reviewed_on=today - datetime.timedelta(days=350), next_review_date=today + datetime.timedelta(days=10)
    )
    LawEntry.objects.update(next_review_date=today + datetime.timedelta(days=400))
    entry = LawEntry.objects.first()
    LawEntry.objects.filter(pk=entry.pk).update(next_review_date=today - datetime.timedelta(days=1))
    assert send_review_reminders() == 2
    assert send_review_reminders() == 0
    kinds = sorted(Notification.objects.filter(user=dpo).values_list("kind", flat=True))
    assert kinds == ["law_review_due", "policy_review_due"]


def test_nothing_due_sends_nothing(dpo):
    LawEntry.objects.update(next_review_date=timezone.localdate() + datetime.timedelta(days=400))
    assert services.reviews_remind() == 0

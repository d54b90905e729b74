"""The privacy officer's retention pages: access, dry run before real run, progress polling, holds."""

import pytest
from django.urls import reverse

from privacy.models import LegalHold, PurgeRun

from . import retention_factories as f

pytestmark = pytest.mark.django_db

PAGES = ["privacy:retention", "privacy:runs", "privacy:holds", "privacy:hold_place"]


@pytest.fixture
def run_inline(monkeypatch):
    """Tasks enqueued on commit run at once, in this process."""
    from privacy.retention import tasks

    monkeypatch.setattr(
        tasks.purge_expired,
        "apply_async",
        lambda args=(), kwargs=None, **options: tasks.purge_expired(**(kwargs or {})),
    )


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("persona", ["outsider", "officer1", "head1", "auditor", "handler"])
def test_pages_are_404_to_everyone_but_the_privacy_officer(client_for, org, name, persona):
    assert client_for(org[persona]).get(reverse(name)).status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_pages_need_sign_in(client_for, org, name):
    response = client_for(None).get(reverse(name))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("name", PAGES)
def test_privacy_officer_sees_the_pages(client_for, dpo, name, django_assert_max_num_queries):
    f.seed_rules()
    client = client_for(dpo)
    with django_assert_max_num_queries(12):
        assert client.get(reverse(name)).status_code == 200


def test_run_pages_are_404_to_others(client_for, officer1, dpo):
    run = PurgeRun.objects.create(dry_run=True)
    for url in (reverse("privacy:run_detail", args=[run.pk]), reverse("privacy:run_progress", args=[run.pk])):
        assert client_for(officer1).get(url).status_code == 404
        assert client_for(dpo).get(url).status_code == 200
    assert client_for(officer1).post(reverse("privacy:run_start")).status_code == 404


def test_dry_run_then_confirmed_real_run(client_for, dpo, run_inline, django_capture_on_commit_callbacks):
    from clients.models import Contact

    f.only_rules("terminated-contacts")
    _ent, (c,) = f.expired_contacts(1)
    client = client_for(dpo)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:run_start"), {"rule": "terminated-contacts"})
    dry = PurgeRun.objects.get()
    assert response.status_code == 302 and dry.dry_run and dry.triggered_by == dpo
    page = client.get(reverse("privacy:run_detail", args=[dry.pk])).content.decode()
    assert str(c.pk) in page and "按此预览执行清理" in page and c.name not in page
    assert Contact.objects.get(pk=c.pk).name == c.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:run_start"), {"preview": dry.pk})
    real = PurgeRun.objects.get(dry_run=False)
    assert real.status == "succeeded" and real.rule_code == "terminated-contacts"
    assert Contact.objects.get(pk=c.pk).name == ""


def test_a_real_run_cannot_start_without_a_finished_dry_run(client_for, dpo):
    pending = PurgeRun.objects.create(dry_run=True, status=PurgeRun.Status.RUNNING)
    response = client_for(dpo).post(reverse("privacy:run_start"), {"preview": pending.pk})
    assert response.status_code == 302
    assert not PurgeRun.objects.filter(dry_run=False).exists()


def test_progress_fragment_polls_while_running_and_stops_when_done(client_for, dpo):
    run = PurgeRun.objects.create(status=PurgeRun.Status.RUNNING, total_estimate=1000, processed=250)
    client = client_for(dpo)
    html = client.get(reverse("privacy:run_progress", args=[run.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in html and 'value="25"' in html and "<script" not in html
    PurgeRun.objects.filter(pk=run.pk).update(status=PurgeRun.Status.SUCCEEDED)
    response = client.get(reverse("privacy:run_progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in response.content.decode() and response["HX-Refresh"] == "true"


def test_place_and_release_a_hold(client_for, dpo):
    _ent, (c,) = f.expired_contacts(1)
    client = client_for(dpo)
    response = client.post(
        reverse("privacy:hold_place"),
        {"kind": "legal_hold", "target_type": "contact", "target_id": c.pk, "reason": "法院协助执行通知书"},
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert hold.contact_id == c.pk and hold.placed_by == dpo and hold.is_active()
    client.post(reverse("privacy:hold_release", args=[hold.pk]), {"note": "已撤销"})
    hold.refresh_from_db()
    assert hold.released_by == dpo and not hold.is_active()


def test_hold_form_shows_a_chinese_error_for_an_unknown_record(client_for, dpo):
    response = client_for(dpo).post(
        reverse("privacy:hold_place"),
        {"kind": "legal_hold", "target_type": "project", "target_id": 999999, "reason": "x"},
    )
    assert response.status_code == 200 and "未找到该编号的记录" in response.content.decode()
    assert not LegalHold.objects.exists()

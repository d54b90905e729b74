"""Webhook delivery rows are a retention category owned by integrations: old finished rows are purged."""

import datetime

import pytest
from django.utils import timezone

from integrations.models import WebhookDelivery
from integrations.retention import RULE, RULE_CODE, WEBHOOK_DELIVERIES, seed_rule
from privacy.models import RetentionRule
from privacy.retention.base import CATEGORIES

pytestmark = pytest.mark.django_db


@pytest.fixture
def deliveries(make_integration):
    integration = make_integration()
    now = timezone.now()
    made = {}
    for name, days, status in (
        ("old_delivered", 200, WebhookDelivery.Status.DELIVERED),
        ("old_failed", 181, WebhookDelivery.Status.FAILED),
        ("old_pending", 400, WebhookDelivery.Status.PENDING),
        ("young_delivered", 179, WebhookDelivery.Status.DELIVERED),
    ):
        made[name] = WebhookDelivery.objects.create(
            integration=integration,
            event="complaint.replied",
            body="{}",
            status=status,
            created_at=now - datetime.timedelta(days=days),
        )
    return made


def test_the_category_is_registered_with_the_engine():
    assert CATEGORIES[WEBHOOK_DELIVERIES].model is WebhookDelivery


def test_the_migration_seeded_the_rule():
    rule = RetentionRule.objects.get(code=RULE_CODE)
    assert rule.category == WEBHOOK_DELIVERIES and rule.action == "delete" and rule.active
    assert rule.clock_event == "created" and rule.period_days == 180 and rule.name_en


def test_candidates_are_old_finished_rows_never_pending_ones(deliveries):
    rule = RetentionRule.objects.get(code=RULE_CODE)
    ids = set(CATEGORIES[WEBHOOK_DELIVERIES].candidates(rule, timezone.now()).values_list("pk", flat=True))
    assert ids == {deliveries["old_delivered"].pk, deliveries["old_failed"].pk}


def test_seed_rule_takes_the_setting_and_is_idempotent(settings):
    from django.apps import apps

    settings.WEBHOOK_DELIVERY_KEEP_DAYS = 30
    RetentionRule.objects.filter(code=RULE_CODE).delete()
    seed_rule(apps, None)
    assert RetentionRule.objects.get(code=RULE_CODE).period_days == 30
    seed_rule(apps, None)
    assert RetentionRule.objects.filter(code=RULE_CODE).count() == 1
    assert RULE["category"] == WEBHOOK_DELIVERIES


def test_a_purge_run_deletes_old_delivery_rows(deliveries, dpo):
    from privacy.models import PurgeRun
    from privacy.retention.services import purge_run_create, purge_run_execute

    RetentionRule.objects.exclude(code=RULE_CODE).update(active=False)
    run = purge_run_create(dry_run=False, trigger=PurgeRun.Trigger.MANUAL, user=dpo)
    run = purge_run_execute(run_id=run.pk)
    assert run.status == PurgeRun.Status.SUCCEEDED, run.errors
    left = set(WebhookDelivery.objects.values_list("pk", flat=True))
    assert left == {deliveries["old_pending"].pk, deliveries["young_delivered"].pk}


def test_a_dry_run_deletes_nothing(deliveries, dpo):
    from privacy.models import PurgeRun
    from privacy.retention.services import purge_run_create, purge_run_execute

    RetentionRule.objects.exclude(code=RULE_CODE).update(active=False)
    run = purge_run_execute(run_id=purge_run_create(dry_run=True, trigger=PurgeRun.Trigger.MANUAL, user=dpo).pk)
    assert run.status == PurgeRun.Status.SUCCEEDED, run.errors
    assert WebhookDelivery.objects.count() == 4

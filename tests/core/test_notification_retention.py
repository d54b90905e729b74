"""Notifications older than the rule's period are purged by the retention engine's category."""

import datetime

import pytest
from django.utils import timezone

from privacy.models import RetentionRule
from privacy.retention.base import CATEGORIES
from privacy.retention.models import ALLOWED_CLOCKS
from zhaoshang.core.notifications.models import Notification
from zhaoshang.core.retention import NOTIFICATIONS, RULE, seed_rule

pytestmark = pytest.mark.django_db


def _rule(days=180):
    return RetentionRule(code="notifications", period_days=days, **{k: v for k, v in RULE.items() if k != "order"})


@pytest.fixture
def rows(officer1, officer2):
    now = timezone.now()
    ages = {"old_read": 200, "old_unread": 181, "young": 179}
    made = {}
    for name, days in ages.items():
        made[name] = Notification.objects.create(
            user=officer1 if name != "young" else officer2,
            kind="project_assigned",
            params={"project": 1},
            created_at=now - datetime.timedelta(days=days),
            read_at=now if name == "old_read" else None,
        )
    return made


def test_the_category_is_registered_with_the_engine():
    category = CATEGORIES[NOTIFICATIONS]
    assert category.model is Notification


def test_candidates_are_the_rows_older_than_the_period_read_or_not(rows):
    category = CATEGORIES[NOTIFICATIONS]
    ids = set(category.candidates(_rule(180), timezone.now()).values_list("pk", flat=True))
    assert ids == {rows["old_read"].pk, rows["old_unread"].pk}
    assert not category.candidates(_rule(365), timezone.now()).exists()


def test_delete_removes_the_expired_rows_only(rows):
    category = CATEGORIES[NOTIFICATIONS]
    rule = _rule(180)
    ids = list(category.candidate_ids(rule, timezone.now()))
    assert category.apply(rule, ids, using="default", reference="purge-run:test") == 2
    assert list(Notification.objects.values_list("pk", flat=True)) == [rows["young"].pk]


def test_seeded_rule_takes_its_period_from_the_setting(settings):
    from django.apps import apps

    settings.NOTIFICATION_KEEP_DAYS = 90
    RetentionRule.objects.filter(code="notifications").delete()  # the migration seeded it with the default
    seed_rule(apps, None)
    rule = RetentionRule.objects.get(code="notifications")
    assert rule.period_days == 90 and rule.category == NOTIFICATIONS and rule.action == "delete"
    seed_rule(apps, None)  # idempotent: an adjusted rule is left alone
    assert RetentionRule.objects.filter(code="notifications").count() == 1


@pytest.mark.skipif(
    NOTIFICATIONS not in ALLOWED_CLOCKS,
    reason="the engine's category list does not name 'notifications' yet (RetentionCategory / ALLOWED_CLOCKS)",
)
def test_a_purge_run_deletes_expired_notifications(rows, dpo):
    from django.apps import apps

    from privacy.models import PurgeRun
    from privacy.retention.services import purge_run_create, purge_run_execute

    seed_rule(apps, None)
    RetentionRule.objects.exclude(code="notifications").update(active=False)
    run = purge_run_create(dry_run=False, trigger=PurgeRun.Trigger.MANUAL, user=dpo)
    run = purge_run_execute(run_id=run.pk)
    assert run.status == PurgeRun.Status.SUCCEEDED, run.errors
    assert list(Notification.objects.values_list("pk", flat=True)) == [rows["young"].pk]

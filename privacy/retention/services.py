"""Retention services: the only writers of purge runs and legal holds.

`purge_run_create` records a pending run and `purge_run_enqueue` sends the task
`privacy.tasks.purge_expired` that executes it (or leaves it "not started", `purge_run_retry`);
`purge_run_execute` applies every active rule (or the one the run names) through the engine.
"""

import functools
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from privacy.retention.models import PurgeRun

from . import restrictions
from .engine import estimate, purge_rule

logger = logging.getLogger(__name__)


def purge_run_create(*, dry_run, trigger, user=None, rule_code=""):
    """A pending run record (the task executes it)."""
    return PurgeRun.objects.create(
        dry_run=dry_run,
        trigger=trigger,
        triggered_by=user if user and user.is_authenticated else None,
        rule_code=rule_code or "",
    )


@transaction.atomic
def retention_rule_update(*, form, user):
    """Save a valid `RetentionRuleForm` (floors checked by RetentionRule.clean) and who changed it."""
    rule = form.save(commit=False)
    rule.updated_by = user
    rule.save()
    return rule


def purge_run_enqueue(*, run):
    """Queue the task of a saved run after commit; if the broker cannot be reached the run stays,
    shown as "not started" with a retry, instead of "pending" forever."""
    from zhaoshang.core.tasks import enqueue

    from .tasks import purge_expired

    enqueue(purge_expired, run_id=run.pk, on_failure=functools.partial(_mark_not_started, run.pk))


def _mark_not_started(run_id):
    PurgeRun.objects.filter(pk=run_id, status=PurgeRun.Status.PENDING).update(status=PurgeRun.Status.NOT_STARTED)


@transaction.atomic
def purge_run_retry(*, run):
    """Queue again a run whose task the broker did not take."""
    requeued = PurgeRun.objects.filter(pk=run.pk, status=PurgeRun.Status.NOT_STARTED).update(
        status=PurgeRun.Status.PENDING
    )
    if not requeued:
        raise ValidationError(_("该清理已在处理或已结束，无需重试。"))
    purge_run_enqueue(run=run)


def purge_run_execute(*, run_id, on_batch=None, now=None):
    """Execute run `run_id`: every active rule (or the one it names). Idempotent: a finished run is left alone."""
    from django.utils import timezone

    from privacy.models import RetentionRule

    run = PurgeRun.objects.get(pk=run_id)
    if run.is_finished:
        return run
    now = now or timezone.now()
    rules = list(RetentionRule.objects.active().order_by("order", "code"))
    if run.rule_code:
        rules = [rule for rule in rules if rule.code == run.rule_code]
        if not rules:
            run.errors.append({"rule": run.rule_code, "batch": 0, "error": "unknown_or_inactive_rule"})
    run.status = PurgeRun.Status.RUNNING
    run.started_at = run.started_at or timezone.now()
    run.heartbeat_at = timezone.now()
    held = restrictions.HeldSets(now) if rules else None
    run.total_estimate = sum(estimate(rule, now, held) for rule in rules)
    run.processed = 0
    run.save(update_fields=["status", "started_at", "heartbeat_at", "total_estimate", "processed", "errors"])
    try:
        for rule in rules:
            run.current_rule = rule.code
            run.counts[rule.code] = purge_rule(run, rule, now=now, on_batch=on_batch)
            PurgeRun.objects.filter(pk=run.pk).update(counts=run.counts, errors=run.errors, current_rule=rule.code)
    except Exception as exc:  # noqa: BLE001 - recorded on the run; the worker stays up
        logger.error("retention: purge run %s failed (%s)", run.pk, type(exc).__name__)
        run.errors.append({"rule": run.current_rule, "batch": 0, "error": type(exc).__name__})
        run.status = PurgeRun.Status.FAILED
    else:
        run.status = PurgeRun.Status.PARTIAL if run.errors else PurgeRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.current_rule = ""
    run.processed = sum(stats.get("processed", 0) for stats in run.counts.values())
    if run.dry_run:
        run.processed = run.total_estimate = sum(stats.get("candidates", 0) for stats in run.counts.values())
    run.save(update_fields=["status", "finished_at", "current_rule", "counts", "errors", "processed", "total_estimate"])
    return run


@transaction.atomic
def legal_hold_place(*, user, reason, kind=None, enterprise=None, contact=None, project=None, until=None, reference=""):
    from privacy.models import LegalHold

    hold = LegalHold(
        kind=kind or LegalHold.Kind.LEGAL_HOLD,
        enterprise=enterprise,
        contact=contact,
        project=project,
        reason=reason,
        reference=reference,
        until=until,
        placed_by=user,
    )
    hold.full_clean()
    hold.save()
    return hold


@transaction.atomic
def legal_hold_release(*, hold_id, user, note=""):
    from django.utils import timezone

    from privacy.models import LegalHold

    hold = LegalHold.objects.select_for_update().get(pk=hold_id)
    if hold.released_at is not None:
        raise ValidationError(_("该保全已经解除。"))
    hold.released_at = timezone.now()
    hold.released_by = user
    hold.release_note = note[:300]
    hold.save(update_fields=["released_at", "released_by", "release_note"])
    return hold

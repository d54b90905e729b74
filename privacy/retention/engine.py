"""The retention engine: find expired rows per rule and delete or anonymise them, in batches.

One `Category` per data category (`privacy.retention.base`) says which rows are expired under a
rule and how to delete or anonymise a batch of ids. `purge_run_execute`
(`privacy.retention.services`) walks the active rules; `purge_rule` here does one:

- **Batches.** At most `PURGE_BATCH_SIZE` (≤ 500) rows, each batch its own transaction: claim the
  next ids above the last one seen with ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL; a plain
  select elsewhere), re-check them under the lock (exact holds; for anonymise, a key another
  worker shredded a moment ago), act set-based (one statement per table for the whole batch,
  ids as one array parameter), write one summary access event and the run's progress, commit.
  `PURGE_BATCH_PAUSE_MS` (default 0) sleeps between batches to leave the web more room.
- **Resumable.** What a committed batch did is final and takes the rows out of the candidates
  (deleted rows are gone; anonymised rows have a shredded key), so a rerun after a crash picks
  up exactly the rows still expired; an uncommitted batch left no trace. Every run uses one
  `now`, so nothing that expires while it runs, let alone anything unexpired, is touched.
- **Two workers.** Skip-locked claims plus the re-check under the lock: no row is processed
  twice, and a worker never waits on the other.
- **Anonymise** crypto-shreds the row's subject key (`privacy.crypto`) and blanks identifying
  text, keeping what statistics need (counts, stages, amounts, dates). **Delete** removes the
  row and the personal data hanging off it (consents, links, requests, complaint identities).
  In both cases audit entries naming the person are redacted and marked first
  (`audit.services.redact_entries_for`), never deleted.

Holds (`privacy.retention.restrictions`): claims and counts exclude the held ids read once per rule
(`HeldSets`: a few queries, no per-row sub-plans over whole tables); every claimed batch is then
re-checked with the exact per-row conditions, so a hold placed while a run goes on still
protects. Floors (`RetentionRule.effective_days`) are applied to every cut-off. Nothing personal
is logged: errors keep the exception class and ids.
"""

import logging
import time

from django.conf import settings
from django.db import connections, models, router, transaction
from django.db.models import F

from privacy.retention.models import (
    ALLOWED_CLOCKS,
    DELETE_ONLY,
    PurgeRun,
    PurgeRunItem,
    RetentionAction,
    RetentionCategory,
)

from . import restrictions
from .base import CATEGORIES, _prepared

logger = logging.getLogger(__name__)

MAX_BATCH_SIZE = 500
DEFAULT_BATCH_PAUSE_MS = 0


def batch_size():
    return max(1, min(MAX_BATCH_SIZE, getattr(settings, "PURGE_BATCH_SIZE", MAX_BATCH_SIZE)))


def batch_pause():
    """Seconds to sleep between two committed batches (settings.PURGE_BATCH_PAUSE_MS, default 0).

    Each batch is a short transaction already; a pause of a few ms gives the web's queries the
    CPU and I/O on a small machine at the cost of purge throughput.
    """
    return max(0, getattr(settings, "PURGE_BATCH_PAUSE_MS", DEFAULT_BATCH_PAUSE_MS)) / 1000


# --- One rule -----------------------------------------------------------------------------------


class Interrupted(BaseException):
    """Raised by test hooks to simulate a worker killed between batches (never caught here)."""


WINDOW_BATCHES = 20


def _max_pk(model, using):
    return model._base_manager.using(using).aggregate(top=models.Max("pk"))["top"] or 0


def _set_local(using, name, value):
    """PostgreSQL: set a planner setting for the current transaction only (no-op elsewhere).

    The batch turns JIT off (compiling the short claim queries cost seconds per batch) and,
    while claiming and re-checking, sequential scans too. Why: the claim's conditions (no
    project still going, no recent follow-up, no hold flag) are correlated NOT EXISTS over
    projects, follow-ups and the unindexed ``legal_hold`` flags. Seeing few matching rows, the
    planner materialises a scan of the WHOLE projects / follow-ups / enterprises table once per
    claim (50 ms per batch at 100k follow-ups, growing with the tables). With sequential scans
    priced out it probes the foreign-key and primary-key indexes per claimed row instead:
    bounded by the 500 rows claimed, flat as the tables grow. They are switched back on before
    the batch's deletes and updates.
    """
    if connections[using].vendor == "postgresql":
        with connections[using].cursor() as cursor:
            cursor.execute(f"SET LOCAL {name} = {value}")


def _skip_locked(using):
    return connections[using].features.has_select_for_update_skip_locked


def _error(rule, batch_no, exc, ids=()):
    entry = {"rule": rule.code, "batch": batch_no, "error": type(exc).__name__}
    if ids:
        entry["first_id"], entry["last_id"] = ids[0], ids[-1]
    return entry


def rule_problem(rule):
    """Why `rule` cannot run as saved (a row written around clean()), or None."""
    if rule.clock_event not in ALLOWED_CLOCKS.get(rule.category, ()):
        return "clock_not_allowed"
    if rule.category in DELETE_ONLY and rule.action != RetentionAction.DELETE:
        return "action_not_allowed"
    if rule.category not in CATEGORIES and rule.category not in RetentionCategory.values:
        return "unknown_category"
    return None


def estimate(rule, now, held=None):
    category = CATEGORIES.get(rule.category)
    if category is None or not getattr(category, "batched", True):
        return 0
    if rule_problem(rule):
        return 0
    return category.candidates(rule, now, held=held or restrictions.HeldSets(now)).count()


def purge_rule(run, rule, *, now, on_batch=None):
    """Apply `rule` for `run` (dry or real); return its stats and add errors to `run.errors`."""
    category = CATEGORIES.get(rule.category)
    stats = {
        "category": rule.category,
        "action": rule.action,
        "days": rule.effective_days,
        "candidates": 0,
        "processed": 0,
        "held": 0,
        "batches": 0,
    }
    problem = rule_problem(rule)
    if problem:
        run.errors.append({"rule": rule.code, "batch": 0, "error": problem})
        stats["skipped"] = problem
        return stats
    if category is None:  # a known category whose records come with a later concern: nothing to purge yet
        stats["skipped"] = "not_installed"
        return stats
    model = category.model
    using = router.db_for_write(model)
    if not getattr(category, "batched", True):
        count = category.purge(rule, now, dry_run=run.dry_run)
        stats["candidates" if run.dry_run else "processed"] = count
        if not run.dry_run:
            stats["candidates"] = count
        return stats
    # Held ids read once for this rule: claims and counts exclude them by id; each claimed
    # batch is then re-checked with the exact conditions (a hold placed meanwhile still counts).
    held = restrictions.HeldSets(now)
    stats["held"] = category.held_count(rule, now, held)
    if run.dry_run:
        return _preview(run, rule, category, stats, now, held)
    pause = batch_pause()

    size = batch_size()
    window = size * WINDOW_BATCHES
    top = _max_pk(model, using)
    last = 0
    batch_no = 0
    reference = f"purge-run:{run.pk}"

    def claim(last, upper):
        queryset = (
            category.candidates(rule, now, held, probe=True)
            .using(using)
            .filter(pk__gt=last, pk__lte=upper)
            .order_by("pk")
        )
        if _skip_locked(using):
            queryset = queryset.select_for_update(skip_locked=True, of=("self",))
        return queryset.values_list("pk", flat=True)[:size]

    cache = {}  # this rule's prepared queries: built and compiled once, run per batch
    while last < top:
        batch_no += 1
        ids = []
        try:
            with transaction.atomic(using=using):
                _set_local(using, "jit", "off")
                _set_local(using, "enable_seqscan", "off")  # claim and re-check probe indexes
                # Claim within a bounded id window, so that each claim costs the same however
                # large the table is (no plan can turn it into a scan of every row).
                upper = last + window
                claimed = _prepared(cache, "claim", claim, using)(last, upper)
                last = claimed[-1] if len(claimed) == size else upper
                if last >= top:
                    top = max(top, _max_pk(model, using))  # rows added while the run went on
                if not claimed:
                    batch_no -= 1
                    continue
                # Re-check under the lock, over the claimed rows only: exact holds (one placed
                # since the rule started), and for anonymise a key another worker shredded since
                # this statement's snapshot. A row another worker DELETED is never claimed: the
                # lock step skips rows deleted after the snapshot.
                ids = category.still_due(rule, claimed, now, using=using, cache=cache)
                _set_local(using, "enable_seqscan", "on")
                if on_batch is not None:
                    on_batch(rule=rule, batch=batch_no, ids=ids)
                done = category.apply(rule, ids, using=using, reference=reference) if ids else 0
                stats["candidates"] += len(ids)
                stats["processed"] += done
                stats["batches"] += 1
                _record_batch(run, rule, model, ids, done, batch_no)
                _progress(run, rule, stats, done)
        except Exception as exc:  # noqa: BLE001 - one failing batch is recorded; the rule stops there
            logger.error("retention: rule %s batch %s failed (%s)", rule.code, batch_no, type(exc).__name__)
            run.errors.append(_error(rule, batch_no, exc, ids))
            stats["failed_batch"] = batch_no
            break
        if pause and ids:
            time.sleep(pause)  # let the web's queries through between batches (PURGE_BATCH_PAUSE_MS)
    return stats


def _preview(run, rule, category, stats, now, held=None):
    limit = getattr(settings, "PURGE_PREVIEW_MAX_IDS", 5000)
    label = category.model._meta.label
    items = []
    count = 0
    for pk in category.candidate_ids(rule, now, held=held):
        count += 1
        if count <= limit:
            items.append(PurgeRunItem(run=run, rule_code=rule.code, model=label, object_id=pk))
        if len(items) >= 2000:
            PurgeRunItem.objects.bulk_create(items)
            items = []
    if items:
        PurgeRunItem.objects.bulk_create(items)
    stats["candidates"] = count
    stats["preview_truncated"] = count > limit
    return stats


def _record_batch(run, rule, model, ids, done, batch_no):
    """One summary access event per batch: ids and counts only."""
    from audit.access import record_access

    record_access(
        None,
        "bulk",
        purpose="到期数据清理",
        row_count=done,
        detail={
            "purge_run": run.pk,
            "rule": rule.code,
            "model": model._meta.label,
            "action": rule.action,
            "batch": batch_no,
            "ids": ids,
        },
    )


def _progress(run, rule, stats, done):
    from django.utils import timezone

    run.counts[rule.code] = dict(stats)
    run.processed += done
    PurgeRun.objects.filter(pk=run.pk).update(
        processed=F("processed") + done,
        counts=run.counts,
        current_rule=rule.code,
        heartbeat_at=timezone.now(),
    )

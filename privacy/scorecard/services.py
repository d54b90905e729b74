"""Computing the card, its monthly snapshot and its trend."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .base import AMBER, GREEN, NO_DATA, RED, Result, computing, rows
from .models import ScorecardSnapshot

logger = logging.getLogger(__name__)
LEVELS = (GREEN, AMBER, RED, NO_DATA)
TREND_MONTHS = 12


def scorecard_compute():
    """[(row, result)] for every registered row, in card order. A row that fails is shown as such
    (no data, with a note), never as green, and does not take the page down."""
    card = []
    with computing():
        for entry in rows():
            try:
                result = entry.compute()
            except Exception:
                logger.exception("scorecard row %s failed", entry.key)
                result = Result.no_data(_("计算失败，请查看系统日志。"))
            card.append((entry, result))
    return card


def _stored(result):
    return {"level": result.level, "value": str(result.value), "figures": result.figures}


@transaction.atomic
def scorecard_snapshot_take(*, today=None, card=None):
    """Store this month's snapshot (one per month; taken again within the month it is replaced)."""
    today = today or timezone.localdate()
    card = card if card is not None else scorecard_compute()
    snapshot, _created = ScorecardSnapshot.objects.update_or_create(
        month=today.replace(day=1),
        defaults={"taken_at": timezone.now(), "rows": {entry.key: _stored(result) for entry, result in card}},
    )
    return snapshot


def scorecard_trend(months=TREND_MONTHS):
    """Chart data: per month, how many rows were green, amber, red or without data (one query)."""
    snapshots = list(ScorecardSnapshot.objects.order_by("-month")[:months])[::-1]
    labels = [f"{s.month:%Y-%m}" for s in snapshots]
    counts = {level: [] for level in LEVELS}
    for snapshot in snapshots:
        levels = [value.get("level") for value in snapshot.rows.values() if isinstance(value, dict)]
        for level in LEVELS:
            counts[level].append(levels.count(level))
    names = {GREEN: _("达标"), AMBER: _("关注"), RED: _("不达标"), NO_DATA: _("暂无数据")}
    return {
        "labels": labels,
        "series": [{"level": level, "label": names[level], "values": counts[level]} for level in LEVELS],
    }

"""Figures for the analysis page and its CSV export (counts, on-time rates, satisfaction)."""

import csv
import io

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.calendar import working_days_between
from zhaoshang.core.localized import is_english, localized

SATISFIED_MIN = 4


def _rate(numerator, denominator):
    return round(100 * numerator / denominator, 1) if denominator else None


def _named(qs, relation):
    """Counts per related row, each named in the reader's language (name_en in English)."""
    english = is_english()
    rows = (
        qs.values(f"{relation}__name", f"{relation}__name_en")
        .annotate(n=Count("pk"))
        .order_by("-n", f"{relation}__name")
    )
    return [{"name": (english and r[f"{relation}__name_en"]) or r[f"{relation}__name"], "n": r["n"]} for r in rows]


def summarise(qs):
    """`qs` is already scoped (`visible_to`) and filtered by period."""
    by_category = _named(qs, "category")
    by_department = _named(qs, "department")
    by_month = list(
        qs.annotate(month=TruncMonth("received_at")).values("month").annotate(n=Count("pk")).order_by("month")
    )

    rows = list(qs.values("received_at", "ack_due", "acknowledged_at", "resolution_due", "replied_at", "satisfaction"))
    acked = [r for r in rows if r["acknowledged_at"]]
    ack_on_time = sum(timezone.localtime(r["acknowledged_at"]).date() <= r["ack_due"] for r in acked)
    replied = [r for r in rows if r["replied_at"]]
    resolved_on_time = sum(timezone.localtime(r["replied_at"]).date() <= r["resolution_due"] for r in replied)
    rated = [r["satisfaction"] for r in rows if r["satisfaction"]]
    durations = [working_days_between(r["received_at"], r["replied_at"]) for r in replied]
    return {
        "total": len(rows),
        "by_category": by_category,
        "by_department": by_department,
        "by_month": by_month,
        "ack_on_time_rate": _rate(ack_on_time, len(acked)),
        "resolution_on_time_rate": _rate(resolved_on_time, len(replied)),
        "satisfaction_rate": _rate(sum(r >= SATISFIED_MIN for r in rated), len(rated)),
        "average_working_days": round(sum(durations) / len(durations), 1) if durations else None,
    }


def neutralise(value):
    """Spreadsheet-formula neutralisation: a cell starting with = + - @ gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(qs):
    """One row per complaint, no personal data (no identity, no description)."""
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 Chinese correctly with a BOM
    writer = csv.writer(out)
    writer.writerow(
        [
            _("编号"),
            _("类型"),
            _("分类"),
            _("来源渠道"),
            _("状态"),
            _("承办部门"),
            _("受理时间"),
            _("受理确认期限"),
            _("办结期限"),
            _("答复时间"),
            _("满意度"),
        ]
    )
    for c in qs.select_related("kind", "category", "department").order_by("received_at", "pk"):
        writer.writerow(
            [
                neutralise(v)
                for v in (
                    c.reference,
                    localized(c.kind),
                    localized(c.category),
                    c.get_channel_display(),
                    c.get_status_display(),
                    localized(c.department) if c.department_id else "",
                    f"{timezone.localtime(c.received_at):%Y-%m-%d %H:%M}",
                    f"{c.ack_due:%Y-%m-%d}",
                    f"{c.resolution_due:%Y-%m-%d}",
                    f"{timezone.localtime(c.replied_at):%Y-%m-%d %H:%M}" if c.replied_at else "",
                    c.satisfaction or "",
                )
            ]
        )
    return out.getvalue()

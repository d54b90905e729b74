"""Scorecard rows of consent: 13/14 consent coverage per purpose, 15 withdrawals effective."""

from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy.scorecard.base import Result, grade_max, grade_min, memo, row


def active_purposes():
    """The active purposes, read once per card (rows 13 and 55)."""
    from .models import Purpose

    return memo("active_purposes", lambda: list(Purpose.objects.filter(is_active=True)))


@row("13-consent", article="13–14", title=gettext_lazy("同意覆盖率（按用途）"), order=130)
def consent_coverage():
    """Share of contacts whose consent was asked (a granted or withdrawn state), for the
    consent-based purpose with the lowest share. One query: the consent coverage tally that
    PostgreSQL keeps as contacts and states are written (privacy/consent/tallies.py); elsewhere
    (SQLite) two, counting contacts and states live.

    Purposes that provide to others are left out: their separate consent is asked per recipient
    when a share is prepared, and row 23 checks that every person provided had given it."""
    from zhaoshang.core import tallies

    from .tallies import counts

    purposes = [p for p in active_purposes() if not p.provides_to_others and p.needs_consent]
    drill = reverse("privacy:coverage")
    if not purposes:
        return Result.no_data(_("没有需要取得同意的处理用途。"), drill)
    if tallies.maintained():
        total, asked = counts()
    else:
        total, asked = _live_counts(purposes)
    if not total:
        return Result.no_data(_("尚无联系人。"), drill)
    shares = {p.pk: round(100 * asked.get(p.pk, 0) / total, 1) for p in purposes}
    worst = min(purposes, key=lambda p: shares[p.pk])
    percent = shares[worst.pk]
    return Result(
        level=grade_min(percent, key="13-consent", default=(95, 80)),
        value=f"{percent:g}%",
        note=_("最低的用途：%(purpose)s（已征询同意的联系人占比）") % {"purpose": worst.display_name},
        drilldown=drill,
        figures={"percent": percent, "purposes": {str(k): v for k, v in shares.items()}},
    )


def _live_counts(purposes):
    """(contacts, {purpose id: states}) counted from the tables: the tally's definition."""
    from clients.models import Contact

    from .models import ConsentState

    # One state per (contact, purpose) for these purposes (they have no recipient).
    asked = dict(
        ConsentState.objects.filter(purpose_id__in=[p.pk for p in purposes], recipient__isnull=True)
        .values("purpose_id")
        .annotate(n=Count("*"))
        .order_by()
        .values_list("purpose_id", "n")
    )
    return Contact.objects.count(), asked


@row("15-withdrawals", article="15", title=gettext_lazy("撤回同意后停止处理"), order=150)
def withdrawals_effective():
    """People provided to a partner after they withdrew consent for that purpose (one query)."""
    from privacy.sharing.models import ShareSubject
    from privacy.sharing.scorecard import share_figures

    from .models import ConsentState

    withdrawn = ConsentState.objects.filter(
        contact_id=OuterRef("contact_id"),
        purpose_id=OuterRef("share__purpose_id"),
        granted=False,
        changed_at__lt=OuterRef("share__created_at"),
    )
    drill = reverse("privacy:shares")
    # A semi-join (EXISTS in WHERE), not a FILTER per row: the planner hashes the few withdrawn states.
    count = ShareSubject.objects.filter(Exists(withdrawn)).count()
    if not count and not share_figures()["total"]:
        return Result.no_data(_("尚无对外提供记录，暂无法检验撤回是否生效。"), drill)
    return Result(
        level=grade_max(count, key="15-withdrawals", default=(1, 1)),
        value=str(count),
        note=_("撤回同意后仍被对外提供的人次"),
        drilldown=drill,
        figures={"after_withdrawal": count},
    )

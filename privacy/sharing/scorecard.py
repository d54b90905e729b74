"""Scorecard rows of partner sharing: 21/23 agreements in force with complete terms, people
provided without a separate consent, and 38–39 cross-border mechanisms."""

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy.scorecard.base import Result, grade_max, memo, row

from .models import REQUIRED_TERMS, Agreement, DataShare, ShareSubject


def _missing_terms_q():
    """Agreements whose kind requires a term they do not tick (one Q for every kind)."""
    condition = Q(pk__in=[])
    for kind, names in REQUIRED_TERMS.items():
        condition |= Q(kind=kind) & Q(*[Q(**{name: False}) for name in names], _connector=Q.OR)
    return condition


def agreement_figures():
    """Agreements in force: all, missing a required term, with an overseas partner, and those
    lacking a cross-border mechanism or its reference (one query, shared by rows 21 and 38)."""

    def compute():
        overseas = Q(partner__overseas=True)
        lacking = Q(cross_border_mechanism="") | Q(cross_border_reference="")
        return (
            Agreement.objects.select_related(None)
            .in_force(timezone.localdate())
            .aggregate(
                in_force=Count("pk"),
                incomplete=Count("pk", filter=_missing_terms_q()),
                overseas=Count("pk", filter=overseas),
                overseas_lacking=Count("pk", filter=overseas & lacking),
            )
        )

    return memo("agreements", compute)


def share_figures():
    """Shares recorded: all, abroad, and abroad under an agreement lacking a mechanism or its
    reference (one query, shared by rows 15, 23 and 38)."""

    def compute():
        return DataShare.objects.select_related(None).aggregate(
            total=Count("pk"),
            abroad=Count("pk", filter=Q(cross_border=True)),
            abroad_lacking=Count(
                "pk",
                filter=Q(cross_border=True)
                & (Q(agreement__cross_border_mechanism="") | Q(agreement__cross_border_reference="")),
            ),
        )

    return memo("shares", compute)


@row("21-agreements", article="21, 23", title=gettext_lazy("委托处理、对外提供协议有效且条款齐全"), order=210)
def agreements_complete():
    drill = reverse("privacy:agreements")
    counts = agreement_figures()
    figures = {"in_force": counts["in_force"], "incomplete": counts["incomplete"]}
    total, incomplete = figures["in_force"], figures["incomplete"]
    if not total:
        return Result.no_data(_("没有生效中的委托处理或提供协议。"), drill)
    return Result(
        level=grade_max(incomplete, key="21-agreements", default=(1, 1)),
        value=f"{total - incomplete}/{total}",
        note=_("生效协议中缺少法定条款的 %(n)s 份") % {"n": incomplete},
        drilldown=drill,
        figures=figures,
    )


@row("23-shares", article="23", title=gettext_lazy("对外提供均取得单独同意"), order=230)
def shares_separate_consent():
    """People provided for a purpose needing separate consent with no separate consent given to
    that recipient before the share (one query over the share subjects, index-backed)."""
    from privacy.consent.models import ConsentAction, ConsentEvent

    drill = reverse("privacy:shares")
    consented = ConsentEvent.objects.filter(
        contact_id=OuterRef("contact_id"),
        purpose_id=OuterRef("share__purpose_id"),
        action=ConsentAction.GRANTED,
        separate__isnull=False,
        at__lte=OuterRef("share__created_at"),
    ).filter(Q(recipient__isnull=True) | Q(recipient_id=OuterRef("share__partner_id")))
    # NOT EXISTS in WHERE (an anti-join), not a FILTER evaluated row by row.
    count = (
        ShareSubject.objects.filter(share__purpose__requires_separate_consent=True).filter(~Exists(consented)).count()
    )
    if not count and not share_figures()["total"]:
        return Result.no_data(_("尚无对外提供记录。"), drill)
    return Result(
        level=grade_max(count, key="23-shares", default=(1, 1)),
        value=str(count),
        note=_("未取得单独同意即被提供的人次"),
        drilldown=drill,
        figures={"without_separate_consent": count},
    )


@row("38-cross-border", article="38–39", title=gettext_lazy("个人信息出境路径"), order=380)
def cross_border_mechanisms():
    """Cross-border agreements in force and shares abroad lacking a mechanism or its reference."""
    drill = reverse("privacy:agreements")
    counts, share_counts = agreement_figures(), share_figures()
    agreements = {"n": counts["overseas"], "lacking": counts["overseas_lacking"]}
    shares = {"n": share_counts["abroad"], "lacking": share_counts["abroad_lacking"]}
    if not agreements["n"] and not shares["n"]:
        return Result.no_data(_("没有向境外提供个人信息的协议或记录。"), drill)
    bad = agreements["lacking"] + shares["lacking"]
    return Result(
        level=grade_max(bad, key="38-cross-border", default=(1, 1)),
        value=str(bad),
        note=_("出境协议 %(n)s 份；缺少安全评估、标准合同备案或认证的协议及提供记录 %(bad)s 项")
        % {"n": agreements["n"], "bad": bad},
        drilldown=drill,
        figures={"agreements": agreements["n"], "shares": shares["n"], "lacking": bad},
    )

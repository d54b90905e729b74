"""Recording reviews of the privacy policy and of the laws register, and reminding of them.

The only path that writes `PolicyReview` and `LawEntry`. Reminders go through the portal's one
notification mechanism, picked daily from the database (`privacy.review.tasks`), once per due date.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.roles import has_role

from .models import LawEntry, PolicyReview

KINDS = {
    "policy_review_due": {
        "label": gettext_lazy("隐私政策待复核"),
        "text": gettext_lazy("隐私政策应于 %(due)s 前复核"),
        "params": ("due",),
        "url_name": "privacy:review",
        "by_object": False,
    },
    "law_review_due": {
        "label": gettext_lazy("法律法规与标准待复核"),
        "text": gettext_lazy("法律法规与标准登记 #%(entry)s 应于 %(due)s 前复核"),
        "params": ("entry", "due"),
        "url_name": "privacy:review",
        "by_object": False,
    },
}


def register_review_kinds():
    from zhaoshang.core.notifications.kinds import KINDS as REGISTERED
    from zhaoshang.core.notifications.kinds import register_kind

    for code, options in KINDS.items():
        if code not in REGISTERED:
            register_kind(code, **options)


def _require_officer(user):
    if not has_role(user, "privacy_officer", "admin"):
        raise PermissionDenied


def _check_next(reviewed_on, next_review_date):
    if next_review_date <= reviewed_on:
        raise ValidationError({"next_review_date": _("下次复核日期须晚于本次复核日期。")})


@transaction.atomic
def policy_review_record(*, user, reviewed_on, next_review_date, note=""):
    """The privacy officer records a review of the current policy and sets the next review date."""
    from privacy.consent.models import PrivacyPolicy

    _require_officer(user)
    _check_next(reviewed_on, next_review_date)
    return PolicyReview.objects.create(
        reviewed_on=reviewed_on,
        reviewed_by=user,
        policy=PrivacyPolicy.objects.current(),
        note=note,
        next_review_date=next_review_date,
    )


@transaction.atomic
def law_entry_save(*, user, entry):
    """Add or change an entry of the register (a validated, unsaved or changed `LawEntry`)."""
    _require_officer(user)
    entry.save()
    return entry


@transaction.atomic
def law_entry_review(*, user, entry, reviewed_on, next_review_date, note=""):
    _require_officer(user)
    _check_next(reviewed_on, next_review_date)
    entry.reviewed_on = reviewed_on
    entry.next_review_date = next_review_date
    if note:
        entry.review_note = note
    entry.save(update_fields=["reviewed_on", "next_review_date", "review_note"])
    return entry


def current_policy_review():
    return PolicyReview.objects.order_by("-reviewed_on", "-pk").first()


def reviews_remind(today=None):
    """Remind the privacy officers of the policy review and register entries due within
    REVIEW_NOTICE_DAYS (or overdue), once per due date. Returns the reminders written."""
    from privacy.sharing.reminders import privacy_officers, remind

    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.REVIEW_NOTICE_DAYS)
    officers = privacy_officers()
    if not officers:
        return 0
    sent = 0
    review = current_policy_review()
    if review is not None and review.next_review_date <= horizon:
        sent += remind(
            officers,
            "policy_review_due",
            review,
            {"due": review.next_review_date},
            once_key=f"{review.next_review_date:%Y-%m-%d}",
        )
    for entry in LawEntry.objects.review_due(horizon):
        sent += remind(
            officers,
            "law_review_due",
            entry,
            {"entry": entry.pk, "due": entry.next_review_date},
            once_key=f"{entry.next_review_date:%Y-%m-%d}",
        )
    return sent

"""Consent and policy services: the one path for each change to the ledger and the policy versions.

Consent
    `consent_grant` / `consent_withdraw` / `consent_withdraw_all` append to the ledger and update
    the materialised `ConsentState` in the same transaction (`_append_event` is the only writer).
    `consent_require(contact, code)` is the one check every use that needs consent calls; it
    raises `ConsentRequired` (a PermissionDenied with a Chinese message). Purposes based on
    something other than consent (contract, legal duty, …) pass without a ledger entry.
    Separate consent (单独同意) is only ever given by `consent_grant(..., separate=...)` naming
    recipient, purpose, method and categories; no general grant implies it.

Ledger purge (for the retention purge of [F])
    The ledger refuses UPDATE and DELETE (Python and, on PostgreSQL, a trigger). The history of an
    erased person is removed only by `consent_history_purge(contact=...)`, which sets
    ``SET LOCAL zhaoshang.purge = 'on'`` inside the caller's transaction; deleting a contact with
    consent history by any other path fails on PostgreSQL. Call it before deleting the contact.
"""

import datetime
from contextlib import suppress

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from privacy.selfservice.models import SelfServiceLink

from .models import (
    Channel,
    ConsentAction,
    ConsentEvent,
    ConsentState,
    LegalBasis,
    PrivacyPolicy,
    Purpose,
    SeparateConsent,
)

# Purpose codes other apps refer to (seeded by migration; editable text, fixed codes).
PURPOSE_LIAISON = "liaison"
PURPOSE_POLICY_PUSH = "policy_push"
PURPOSE_PARTNER_SHARING = "partner_sharing"
PURPOSE_OVERSEAS_HQ = "overseas_hq"
PURPOSE_SATISFACTION = "satisfaction"

EVIDENCE_REQUIRED_CHANNELS = {Channel.PAPER, Channel.EMAIL}


class ConsentRequired(PermissionDenied):
    """The use needs a consent the person has not given (or has withdrawn)."""

    def __init__(self, purpose_name):
        self.purpose_name = str(purpose_name)
        self.message = _("该联系人未同意“%(purpose)s”（或已撤回同意），不能用于此用途。") % {
            "purpose": self.purpose_name
        }
        super().__init__(self.message)

    def __str__(self):
        return self.message


class ConsentError(ValidationError):
    """A grant or withdrawal that cannot be recorded as asked (message in Chinese)."""


# --- Helpers -----------------------------------------------------------------------------------


def _purpose(purpose):
    if isinstance(purpose, Purpose):
        return purpose
    return Purpose.objects.get(code=purpose)


def current_policy():
    return PrivacyPolicy.objects.current()


def ip_hash(request):
    """Keyed hash of the client IP (HMAC under a SECRET_KEY-derived key): links events, reveals nothing."""
    if request is None:
        return ""
    ip = request.META.get("REMOTE_ADDR", "")
    return salted_hmac("privacy.consent.ip", ip, algorithm="sha256").hexdigest() if ip else ""


def _user_agent(request):
    if request is None:
        return ""
    return request.META.get("HTTP_USER_AGENT", "")[:300]


def _append_event(
    *,
    contact,
    purpose,
    action,
    channel,
    actor,
    request,
    policy,
    evidence=None,
    evidence_type="",
    separate=None,
    recipient=None,
):
    """Insert one ledger event and bring the contact's state for (purpose, recipient) in line, atomically."""
    online = channel == Channel.SELFSERVICE
    event = ConsentEvent(
        contact=contact,
        purpose=purpose,
        recipient=recipient,
        policy=policy,
        action=action,
        channel=channel,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        ip_hash=ip_hash(request) if online else "",
        user_agent=_user_agent(request) if online else "",
        evidence_type=evidence_type if evidence else "",
    )
    if evidence:
        event.evidence = evidence
    event.save()
    if separate is not None:
        SeparateConsent(event=event, **separate).save()
    granted = action == ConsentAction.GRANTED
    ConsentState.objects.update_or_create(
        contact=contact,
        purpose=purpose,
        recipient=recipient,
        defaults={
            "granted": granted,
            "separate": granted and separate is not None,
            "policy": policy,
            "last_event": event,
            "changed_at": event.at,
            "needs_renewal": False,
            "renewal_due_at": None,
        },
    )
    return event


def _locked_state(contact, purpose, recipient=None):
    return (
        ConsentState.objects.select_for_update().filter(contact=contact, purpose=purpose, recipient=recipient).first()
    )


def _recipient(purpose, recipient):
    """The recipient a consent for `purpose` is about: a partner for a purpose that provides to
    others (one consent per recipient, PIPL Art. 23), else None."""
    if not purpose.provides_to_others:
        return None
    if recipient is None:
        raise ConsentError(_("“%(purpose)s”须对每个接收方分别取得单独同意：请指明接收方。") % {"purpose": purpose.name})
    return recipient


def purpose_recipients(purpose):
    """The partners `purpose` may provide data to now (vetted, with an agreement in force to provide
    or process jointly for it): the separate-consent steps offered to the person, one each."""
    from privacy.sharing.services import recipients_for

    return recipients_for(purpose)


def separate_details(purpose, recipient=None):
    """What a separate consent for `purpose` (to `recipient`) names, as shown to the person at the time.

    For a purpose that provides to others: the recipient's name and contact, the purpose, the
    method and the categories of its agreement (PIPL Art. 23).
    """
    details = {
        "recipient": purpose.recipient or purpose.name,
        "purpose_text": purpose.description[:300] or purpose.name,
        "method": purpose.processing_method or _("按本用途说明的方式处理"),
        "categories": list(purpose.categories),
    }
    if recipient is not None:
        from privacy.sharing.services import recipient_terms

        contact = _("；").join(
            part
            for part in (
                _("电话：%(phone)s") % {"phone": recipient.contact_phone} if recipient.contact_phone else "",
                _("邮箱：%(email)s") % {"email": recipient.contact_email} if recipient.contact_email else "",
            )
            if part
        )
        named = _("%(name)s（%(contact)s）") % {"name": recipient.name, "contact": contact}
        details["recipient"] = (named if contact else recipient.name)[:200]
        method, categories = recipient_terms(recipient, purpose)
        details["method"] = (method or details["method"])[:200]
        if categories:
            details["categories"] = [c for c in purpose.categories if c in categories] or list(categories)
    return details


# --- Consent -----------------------------------------------------------------------------------


@transaction.atomic
def consent_grant(
    *,
    contact,
    purpose,
    channel,
    actor=None,
    request=None,
    evidence=None,
    evidence_type="",
    separate=None,
    recipient=None,
):
    """Record a grant. Returns the event, or None when a valid consent under the current policy exists.

    For a purpose needing separate consent, `separate` must be the dict of what the person was
    shown (recipient, purpose_text, method, categories — see `separate_details`). For a purpose
    that provides to others, `recipient` names the partner (one of `purpose_recipients`).
    """
    purpose = _purpose(purpose)
    if not purpose.needs_consent:
        raise ConsentError(_("“%(purpose)s”的处理依据不是同意，无需记录同意。") % {"purpose": purpose.name})
    if not purpose.is_active:
        raise ConsentError(_("用途“%(purpose)s”已停用。") % {"purpose": purpose.name})
    recipient = _recipient(purpose, recipient)
    if recipient is not None and not purpose_recipients(purpose).filter(pk=recipient.pk).exists():
        raise ConsentError(
            _("“%(partner)s”目前不是“%(purpose)s”的接收方（没有有效的提供协议）。")
            % {"partner": recipient.name, "purpose": purpose.name}
        )
    if purpose.requires_separate_consent:
        if not separate or not all(separate.get(k) for k in ("recipient", "purpose_text", "method")):
            raise ConsentError(
                _("“%(purpose)s”须单独取得同意，并载明接收方、处理目的、处理方式和个人信息种类。")
                % {"purpose": purpose.name}
            )
        separate = {k: separate[k] for k in ("recipient", "purpose_text", "method")} | {
            "categories": list(separate.get("categories") or [])
        }
    else:
        separate = None
    if channel in EVIDENCE_REQUIRED_CHANNELS and not evidence:
        raise ConsentError(_("以纸质或邮件方式取得的同意须上传凭证文件。"))
    policy = current_policy()
    state = _locked_state(contact, purpose, recipient)
    if (
        state is not None
        and state.granted
        and not state.needs_renewal
        and state.policy_id == getattr(policy, "pk", None)
        and evidence is None
    ):
        return None  # already granted: one click twice is still one consent
    return _append_event(
        contact=contact,
        purpose=purpose,
        action=ConsentAction.GRANTED,
        channel=channel,
        actor=actor,
        request=request,
        policy=policy,
        evidence=evidence,
        evidence_type=evidence_type,
        separate=separate,
        recipient=recipient,
    )


@transaction.atomic
def consent_withdraw(
    *, contact, purpose, channel, actor=None, request=None, evidence=None, evidence_type="", recipient=None
):
    """Record a withdrawal; effective at once. Returns the event, or None when nothing was granted.

    For a purpose that provides to others, `recipient` names the partner whose consent ends.
    """
    purpose = _purpose(purpose)
    recipient = recipient if purpose.provides_to_others else None
    state = _locked_state(contact, purpose, recipient)
    if state is None or not state.granted:
        return None
    return _append_event(
        contact=contact,
        purpose=purpose,
        action=ConsentAction.WITHDRAWN,
        channel=channel,
        actor=actor,
        request=request,
        policy=current_policy(),
        evidence=evidence,
        evidence_type=evidence_type,
        recipient=recipient,
    )


@transaction.atomic
def consent_withdraw_all(*, contact, channel, actor=None, request=None):
    """Withdraw every consent the person has given (every recipient's too). Returns the number of withdrawals."""
    states = list(
        ConsentState.objects.select_for_update(of=("self",))
        .select_related("purpose", "recipient")
        .filter(contact=contact, granted=True)
    )
    policy = current_policy()
    for state in states:
        _append_event(
            contact=contact,
            purpose=state.purpose,
            action=ConsentAction.WITHDRAWN,
            channel=channel,
            actor=actor,
            request=request,
            policy=policy,
            recipient=state.recipient,
        )
    return len(states)


def consent_require(contact, purpose_code, *, recipient=None, use=None):
    """Return None when `contact` may be used for the purpose; raise otherwise.

    `ConsentRequired` without a valid consent (for a purpose that provides to others: the separate
    consent naming `recipient`); with `use` (a `restrictions.Use` value), `ProcessingRestricted`
    while a restriction or legal hold covers the person. The one-person form of `consent_filter`.
    """
    purpose = _purpose(purpose_code)
    if not purpose.is_active:
        raise ConsentRequired(purpose.name)
    if use is not None:
        from clients.models import Contact
        from privacy.retention.restrictions import ensure_not_restricted

        person = contact if hasattr(contact, "enterprise_id") else Contact.objects.get(pk=contact)
        ensure_not_restricted(person, use)
    if not purpose.needs_consent:
        return None
    if purpose.provides_to_others and recipient is None:
        raise ConsentRequired(purpose.name)
    contact_id = getattr(contact, "pk", contact)
    recipient = recipient if purpose.provides_to_others else None
    state = ConsentState.objects.filter(contact_id=contact_id, purpose=purpose, recipient=recipient).first()
    if state is None or not state.is_valid():
        raise ConsentRequired(purpose.name)
    if purpose.requires_separate_consent and not state.separate:
        raise ConsentRequired(purpose.name)
    return None


def consent_filter(queryset, purpose_code, *, recipient=None):
    """THE check for every set-based use: `queryset` of contacts narrowed (in SQL) to those the
    purpose may use — no restriction or legal hold covering them (PIPL Art. 47), and, where the
    purpose is based on consent, a valid consent (for a purpose that provides to others: the
    separate consent naming `recipient`; nobody without a recipient)."""
    from privacy.retention.restrictions import restricted_contacts_set_q

    purpose = _purpose(purpose_code)
    if not purpose.is_active:
        return queryset.none()
    queryset = queryset.exclude(restricted_contacts_set_q())
    if not purpose.needs_consent:
        return queryset
    if purpose.provides_to_others and recipient is None:
        return queryset.none()
    states = ConsentState.objects.valid().filter(
        purpose=purpose, recipient=recipient if purpose.provides_to_others else None
    )
    if purpose.requires_separate_consent:
        states = states.filter(separate=True)
    return queryset.filter(pk__in=states.values("contact_id"))


def consent_state(contact):
    """Every active purpose with the person's state: a list of dicts for display. A purpose that
    provides to others lists its recipients (current ones, and any the person consented to)."""
    purposes = list(Purpose.objects.filter(is_active=True))
    states = {
        (s.purpose_id, s.recipient_id): s
        for s in ConsentState.objects.filter(contact=contact).select_related("policy", "recipient")
    }
    now = timezone.now()
    rows = []
    for purpose in purposes:
        state = states.get((purpose.pk, None))
        row = {
            "purpose": purpose,
            "needs_consent": purpose.needs_consent,
            "state": state,
            "granted": bool(state and state.is_valid(now)),
            "needs_renewal": bool(state and state.granted and state.needs_renewal),
        }
        if purpose.provides_to_others:
            partners = {p.pk: p for p in purpose_recipients(purpose)}
            partners |= {s.recipient_id: s.recipient for (pk, rid), s in states.items() if pk == purpose.pk and rid}
            row["recipients"] = [
                {
                    "partner": partner,
                    "state": states.get((purpose.pk, partner.pk)),
                    "granted": bool(
                        states.get((purpose.pk, partner.pk)) and states[(purpose.pk, partner.pk)].is_valid(now)
                    ),
                }
                for partner in sorted(partners.values(), key=lambda p: (p.name, p.pk))
            ]
            row["state"] = max(
                (r["state"] for r in row["recipients"] if r["state"]), key=lambda s: s.changed_at, default=None
            )
            row["granted"] = any(r["granted"] for r in row["recipients"])
        rows.append(row)
    return rows


def consent_history(contact, limit=200):
    return list(
        ConsentEvent.objects.filter(contact=contact)
        .select_related("purpose", "policy", "actor", "separate", "recipient")
        .order_by("-at", "-pk")[:limit]
    )


# --- Policy ------------------------------------------------------------------------------------


@transaction.atomic
def policy_draft_save(*, form, user):
    """Save a new or changed draft from `PolicyDraftForm` (valid); a published version is frozen."""
    policy = form.instance
    if policy.pk and PrivacyPolicy.objects.filter(pk=policy.pk, published_at__isnull=False).exists():
        raise ConsentError(_("已发布的版本不能修改，请新建一个版本。"))
    return form.save()


@transaction.atomic
def policy_publish(*, policy, user):
    """Publish a version. A material change flags consents given under older versions for renewal.

    Returns the number of consents that now need renewal.
    """
    policy = PrivacyPolicy.objects.select_for_update().get(pk=policy.pk)
    if policy.published_at is not None:
        raise ConsentError(_("该版本已发布，不能重复发布。"))
    policy.published_at = timezone.now()
    policy.published_by = user
    policy.save(update_fields=["published_at", "published_by"])
    if not policy.material_change:
        return 0
    due = policy.published_at + datetime.timedelta(days=settings.CONSENT_RENEWAL_GRACE_DAYS)
    flagged = (
        ConsentState.objects.filter(granted=True, needs_renewal=False)
        .exclude(policy=policy)
        .update(needs_renewal=True, renewal_due_at=due)
    )
    _notify_renewals(policy, due)
    return flagged


def _notify_renewals(policy, due):
    """Tell each enterprise owner how many consents of their contacts now need renewal (counts only)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from zhaoshang.core.notifications import notify

    counts = dict(
        ConsentState.objects.filter(needs_renewal=True, renewal_due_at=due, contact__enterprise__owner__isnull=False)
        .values_list("contact__enterprise__owner")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for owner in get_user_model().objects.filter(pk__in=counts):
        notify([owner], "consent_renewal", policy, {"version": policy.version, "count": counts[owner.pk], "due": due})


def renewal_list(contacts):
    """States needing renewal for contacts in `contacts` (a scoped queryset), oldest first."""
    return (
        ConsentState.objects.needing_renewal()
        .filter(contact__in=contacts.values("pk"))
        .select_related("purpose", "policy", "contact__enterprise", "contact__subject_key")
        .order_by("renewal_due_at", "contact_id")
    )


# --- Outreach (政策推送) ------------------------------------------------------------------------


def outreach_contacts(user):
    """Contacts `user` may see who have a valid consent to policy push, for the outreach export."""
    from clients.models.contact import Contact

    return consent_filter(Contact.objects.visible_to(user), PURPOSE_POLICY_PUSH).select_related("enterprise")


def satisfaction_contacts(user):
    """满意度回访名单: contacts `user` may see, with a valid consent to satisfaction calls and no
    restriction (`consent_filter`), of enterprises with a project signed or landed."""
    from clients.models import Project
    from clients.models.contact import Contact

    landed = Project.objects.filter(stage__in=[Project.Stage.SIGNED, Project.Stage.LANDED]).values("enterprise_id")
    contacts = Contact.objects.visible_to(user).filter(enterprise_id__in=landed)
    return consent_filter(contacts, PURPOSE_SATISFACTION).select_related("enterprise")


# --- Ledger purge (for [F]) --------------------------------------------------------------------


def ledger_purge_allowed(using="default"):
    """Open the ledger for deletion until the end of the current transaction (PostgreSQL trigger)."""
    if not transaction.get_connection(using).in_atomic_block:
        raise RuntimeError("ledger_purge_allowed must run inside transaction.atomic()")
    conn = transaction.get_connection(using)
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("SET LOCAL zhaoshang.purge = 'on'")


@transaction.atomic
def consent_history_purge(*, contact):
    """Remove the consent history, links and requests of an erased person. Privileged: purge only."""
    ledger_purge_allowed()
    contact_id = getattr(contact, "pk", contact)
    ConsentState.objects.filter(contact_id=contact_id).delete()
    SeparateConsent.objects.filter(event__contact_id=contact_id)._raw_delete(connection.alias)
    events = ConsentEvent.objects.filter(contact_id=contact_id)
    for path in events.exclude(evidence="").values_list("evidence", flat=True):
        with suppress(OSError):
            ConsentEvent._meta.get_field("evidence").storage.delete(path)
    deleted = events._raw_delete(connection.alias)
    SelfServiceLink.objects.filter(contact_id=contact_id).delete()
    return deleted


__all__ = [
    "ConsentError",
    "ConsentRequired",
    "LegalBasis",
    "consent_filter",
    "consent_grant",
    "consent_history",
    "consent_history_purge",
    "consent_require",
    "consent_state",
    "consent_withdraw",
    "consent_withdraw_all",
    "current_policy",
    "outreach_contacts",
    "policy_publish",
    "purpose_recipients",
    "renewal_list",
    "satisfaction_contacts",
]

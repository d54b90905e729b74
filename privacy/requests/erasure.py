"""Erasure of one person on demand (PIPL Art. 47): `contact_erase(contact, *, reason, actor)`.

Backs the deletion request and the privacy officer's "erase now" action (`erasure_views`). In one
transaction, in this order:

1. refuse with `ErasureRefused` (a Chinese message naming the reason) while a legal hold or
   restriction covers the person (`privacy.retention.restrictions`: the person, their enterprise
   or a project of it) or a retention floor applies -- a complaint they made that is still being
   handled must be kept until it is closed (`ERASURE_FLOORS`);
2. read who must be told: the staff who made each past share (privacy.sharing) naming the person
   and the staff who exported files naming them (the record of uses), plus the privacy officers;
3. redact the audit entries about the person (`audit.services.redact_entries_for`, set-based,
   before anything is deleted so that related records can still be found);
4. blank the free text and the blind indexes of the contact, their requests' details and the
   identity on complaints they made (as the retention engine anonymises a contact);
5. delete the consent evidence files, the self-service links and the copy packages (files on commit);
6. crypto-shred the person's key and the keys of what they own (`privacy.crypto.shred_subject`):
   every ciphertext of theirs -- in the table, an export or a backup -- no longer decrypts;
7. on commit, notify the recipients found in 2 (reference numbers only, `notify`).

The contact row stays (its id is what shares, access events and requests point to), holding
nothing that names the person. Returns an `ErasureResult`.
"""

import dataclasses
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

ERASURE_REASON = "erasure"

# Kinds of notification this concern sends (registered by PrivacyConfig.ready via register_kinds).
KINDS = {
    "erasure_share_recipient": {
        "label": gettext_lazy("已删除个人的信息曾向第三方提供"),
        "text": gettext_lazy(
            "联系人 #%(contact)s 的个人信息已删除；提供记录 %(share)s 的接收方持有其信息，请通知接收方删除"
        ),
        "params": ("contact", "share"),
        "url_name": "privacy:share_detail",
    },
    "erasure_export_holder": {
        "label": gettext_lazy("已删除个人的信息曾被导出"),
        "text": gettext_lazy(
            "联系人 #%(contact)s 的个人信息已删除；您曾导出包含其信息的文件（%(count)s 次），请删除这些文件"
        ),
        "params": ("contact", "count"),
        "url_name": "clients:contact_detail",
    },
}


def register_kinds():
    try:
        from zhaoshang.core.notifications.kinds import KINDS as REGISTERED
        from zhaoshang.core.notifications.kinds import register_kind
    except ImportError:
        return False
    for code, options in KINDS.items():
        if code not in REGISTERED:
            register_kind(code, **options)
    return True


class ErasureRefused(Exception):
    """The person may not be erased now; `message` says why (in Chinese)."""

    def __init__(self, message, *, code):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclasses.dataclass(frozen=True)
class ErasureResult:
    contact_id: int
    keys_shredded: int
    entries_redacted: int
    links_removed: int
    packages_removed: int
    evidence_files_removed: int
    notices: int  # notifications planned (sent once the erasure has committed)


def _open_complaints(contact):
    from complaints.models import Complaint
    from complaints.models.complaint import OPEN_STATUSES

    return list(
        Complaint._base_manager.filter(contact_id=contact.pk, status__in=OPEN_STATUSES)
        .order_by("pk")
        .values_list("reference", flat=True)[:5]
    )


def erasure_refusal(contact):
    """The `ErasureRefused` that applies to `contact` now, or None."""
    from clients.models import Contact
    from privacy.retention.restrictions import active_hold_for, contacts_held_q

    hold = active_hold_for(contact)
    if hold is not None:
        return ErasureRefused(
            _("该联系人处于%(kind)s状态（%(reason)s），保全解除前不能删除其个人信息。")
            % {"kind": hold.get_kind_display(), "reason": hold.reason},
            code="legal_hold",
        )
    if Contact._base_manager.filter(pk=contact.pk).filter(contacts_held_q()).exists():
        return ErasureRefused(
            _("该联系人或其所在企业、项目处于法律保全状态，保全解除前不能删除其个人信息。"), code="legal_hold"
        )
    open_complaints = _open_complaints(contact)
    if open_complaints:
        return ErasureRefused(
            _("该联系人提出的投诉（%(refs)s）尚未办结，投诉处理记录须保存至办结，暂不能删除其个人信息。")
            % {"refs": "、".join(open_complaints)},
            code="retention_floor",
        )
    return None


def _recipients(contact):
    """[(users, kind, obj, context)] to notify: past shares and exports naming the person."""
    from django.db.models import Count

    from audit.models import AccessEvent, AccessSubject
    from privacy.sharing.models import DataShare
    from privacy.sharing.reminders import privacy_officers

    officers = privacy_officers()
    out = []
    shares = DataShare._base_manager.filter(subjects__contact_id=contact.pk).select_related("created_by")
    for share in shares.order_by("pk"):
        users = officers + ([share.created_by] if share.created_by_id else [])
        out.append((users, "erasure_share_recipient", share, {"contact": contact.pk, "share": share.reference}))
    exported = (
        AccessEvent.objects.filter(
            pk__in=AccessSubject.objects.filter(contact_id=contact.pk, action="export").values("event_id"),
            user__isnull=False,
        )
        .values("user")
        .annotate(n=Count("pk"))
        .order_by("user")
    )
    if exported:
        from django.contrib.auth import get_user_model

        users = {u.pk: u for u in get_user_model().objects.filter(pk__in=[row["user"] for row in exported])}
        for row in exported:
            out.append(
                ([users[row["user"]]], "erasure_export_holder", contact, {"contact": contact.pk, "count": row["n"]})
            )
    return out


def _notify_all(notices, contact_id):
    from zhaoshang.core.notifications import notify

    sent = 0
    for users, kind, obj, context in notices:
        try:
            sent += len(notify(users, kind, obj, context, once_key=f"erased:{contact_id}") or [])
        except Exception:
            logger.exception("erasure notice %s for contact #%s not sent", kind, contact_id)
    return sent


def _forget_requests(request_ids):
    """The person's requests keep only kind, dates and outcome: their texts, proof, timeline
    messages and codes go, and their data keys are returned for shredding (so copies taken before
    no longer decrypt). The rows are detached from the old key: a request still open (the deletion
    request being answered) gets a fresh key on its next save."""
    from privacy.crypto.personal import encrypted_fields

    from .models import SubjectRequest, SubjectRequestEvent, VerificationCode

    rows = SubjectRequest._base_manager.filter(pk__in=request_ids)
    keys = [k for k in rows.values_list("subject_key_id", flat=True) if k]
    proofs = [name for name in rows.values_list("proof", flat=True) if name]
    rows.update(**{f.attname: "" for f in encrypted_fields(SubjectRequest)}, proof="", subject_key=None)
    SubjectRequestEvent._base_manager.filter(request_id__in=request_ids).update(message="")
    VerificationCode._base_manager.filter(request_id__in=request_ids).delete()
    return keys, proofs


def _remove_files(names_by_storage):
    def remove():
        for storage, names in names_by_storage:
            for name in names:
                try:
                    storage.delete(name)
                except OSError:
                    logger.warning("erasure: could not delete a stored file of an erased person")

    transaction.on_commit(remove)


def contact_erase(contact, *, reason, actor):
    """Erase `contact` (see the module docstring); `ErasureRefused` while a hold or floor applies."""
    from audit.services import redact_entries_for
    from clients.models import Contact
    from privacy.consent.models import ConsentEvent
    from privacy.crypto import shred_subject
    from privacy.crypto.personal import blind_index_fields, encrypted_fields, shred_key_ids
    from privacy.selfservice.models import SelfServiceLink

    from .models import SubjectRequest
    from .package_models import SubjectPackage

    with transaction.atomic():
        contact = Contact._base_manager.select_for_update(of=("self",)).select_related("subject_key").get(pk=contact.pk)
        refusal = erasure_refusal(contact)
        if refusal is not None:
            raise refusal
        notices = _recipients(contact)
        request_ids = list(SubjectRequest._base_manager.filter(contact_id=contact.pk).values_list("pk", flat=True))
        redacted = redact_entries_for(
            contact_ids=[contact.pk],
            objects=[("privacy.SubjectRequest", pk) for pk in request_ids],
            reason=ERASURE_REASON,
            reference=str(reason)[:64],
            actor=actor,
            include_related=True,
        )
        blank = {f.attname: "" for f in encrypted_fields(Contact)}
        blank.update({f.attname: None for f in blind_index_fields(Contact)})
        Contact._base_manager.filter(pk=contact.pk).update(**blank, position="", updated_at=timezone.now())
        request_keys, proofs = _forget_requests(request_ids)
        from complaints.models import Complaint

        Complaint._base_manager.filter(contact_id=contact.pk).update(
            complainant_name="", complainant_phone="", complainant_email=""
        )
        evidence_field = ConsentEvent._meta.get_field("evidence")
        evidence = list(
            ConsentEvent._base_manager.filter(contact_id=contact.pk)
            .exclude(evidence="")
            .values_list("evidence", flat=True)
        )
        links = SelfServiceLink._base_manager.filter(contact_id=contact.pk)
        links_removed = links._raw_delete(links.db)
        packages = SubjectPackage._base_manager.filter(contact_id=contact.pk)
        package_files = [name for name in packages.values_list("file", flat=True) if name]
        packages_removed = packages._raw_delete(packages.db)
        _remove_files(
            [
                (evidence_field.storage, evidence),
                (SubjectPackage._meta.get_field("file").storage, package_files),
                (SubjectRequest._meta.get_field("proof").storage, proofs),
            ]
        )
        shredded = shred_subject(contact, cascade=True) + shred_key_ids(request_keys)
        contact_id = contact.pk
        transaction.on_commit(lambda: _notify_all(notices, contact_id))
    return ErasureResult(
        contact_id=contact.pk,
        keys_shredded=shredded,
        entries_redacted=redacted,
        links_removed=links_removed,
        packages_removed=packages_removed,
        evidence_files_removed=len(evidence),
        notices=len(notices),
    )

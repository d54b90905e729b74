"""Data-subject requests' retention category: after `SUBJECT_REQUEST_KEEP_DAYS` (rule
"subject-requests", default 730 days from receipt) a closed request keeps only its kind, dates,
status and refusal ground. Its text, the relative's name, the correction value, the proof
document, the timeline's messages and the link to the person go; its data key is shredded.
Open requests are never candidates. "Delete" removes the rows with their timeline and codes.
"""

from django.db.models import OuterRef

from privacy.crypto.personal import shred_key_ids
from privacy.retention import restrictions
from privacy.retention.base import Category, _delete_files, _encrypted_fields, _raw_delete, register
from privacy.retention.models import RetentionCategory
from zhaoshang.core.db import any_of

from .models import OPEN_STATUSES


def purge_request_rows(queryset):
    """Delete requests (a queryset, raw) with their timeline, codes and proof files."""
    from .models import SubjectRequestEvent, VerificationCode

    ids = list(queryset.order_by().values_list("pk", flat=True))
    if not ids:
        return 0
    using = queryset.db
    model = queryset.model
    rows = model._base_manager.using(using).filter(any_of("pk", ids))
    files = list(rows.exclude(proof="").values_list("proof", flat=True))
    keys = list(rows.values_list("subject_key_id", flat=True))
    _raw_delete(SubjectRequestEvent._base_manager.using(using).filter(any_of("request", ids)))
    _raw_delete(VerificationCode._base_manager.using(using).filter(any_of("request", ids)))
    count = _raw_delete(rows)
    _delete_files(files, model._meta.get_field("proof").storage)
    shred_key_ids([k for k in keys if k], using=using)
    return count


@register
class SubjectRequests(Category):
    code = RetentionCategory.SUBJECT_REQUESTS
    model_label = "privacy.SubjectRequest"

    def _expired(self, rule, now, probe=False):
        return self.model._base_manager.filter(received_at__lt=rule.cutoff(now), redacted=False).exclude(
            status__in=OPEN_STATUSES
        )

    def _held(self, now):
        return restrictions.contact_held(OuterRef("contact_id"), now)

    def _held_fast(self, held):
        return held.contact_q("contact__")

    def delete(self, ids, *, using, reference):
        return purge_request_rows(self.model._base_manager.using(using).filter(any_of("pk", ids)))

    def anonymise(self, ids, *, using, reference):
        from .models import SubjectRequestEvent, VerificationCode

        rows = self.model._base_manager.using(using).filter(any_of("pk", ids))
        files = list(rows.exclude(proof="").values_list("proof", flat=True))
        keys = list(rows.order_by().values_list("subject_key_id", flat=True))
        blank = {f.attname: "" for f in _encrypted_fields(self.model)}
        count = rows.update(**blank, proof="", contact_id=None, redacted=True)
        SubjectRequestEvent._base_manager.using(using).filter(any_of("request", ids)).update(message="")
        _raw_delete(VerificationCode._base_manager.using(using).filter(any_of("request", ids)))
        _delete_files(files, self.model._meta.get_field("proof").storage)
        shred_key_ids([k for k in keys if k], using=using)
        return count

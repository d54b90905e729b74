"""The `export_files` retention category: copy packages of data-subject requests, file and row.

A package is built for one request and downloadable for five days; 30 days after it was built
(the seeded rule "export-files", privacy migration seeding it) the engine deletes the row and,
once the batch has committed, its encrypted file. Packages of a held person stay (a legal hold
keeps everything about the person).
"""

from django.db.models import OuterRef

from privacy.retention import restrictions
from privacy.retention.base import _CreatedAtRows, register
from privacy.retention.models import RetentionCategory


@register
class ExportFiles(_CreatedAtRows):
    code = RetentionCategory.EXPORT_FILES
    model_label = "privacy.SubjectPackage"
    created_field = "created_at"
    file_fields = ("file",)

    def _held(self, now):
        return restrictions.contact_held(OuterRef("contact_id"), now)

    def _held_fast(self, held):
        return held.contact_q("contact__")

"""django-bootstrap5 renderers of the portal: errors marked red, valid fields left plain.

The stock renderer marks every field of a bound, valid form green (`is-valid`): on a filter bar or a
form re-shown with one error, a row of green ticks says nothing. Only errors are marked here.
"""

from django_bootstrap5.renderers import FieldRenderer as BaseFieldRenderer


class FieldRenderer(BaseFieldRenderer):
    def get_server_side_validation_classes(self):
        return "is-invalid" if self.field_errors else ""

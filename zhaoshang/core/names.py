"""The one way a person's name is written, everywhere: pages, dropdowns, admin, exports.

A name with Chinese characters is written family name then given name, with no space (张伟). A name
typed in Latin letters is shown as the person entered it: given name then family name (Anna Müller).
With neither, the username stands in, so that a row never shows a blank.
"""

import re

from django import forms

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def format_person_name(family="", given="", fallback=""):
    family, given = (family or "").strip(), (given or "").strip()
    if _CJK.search(family + given):
        name = f"{family}{given}"
    else:
        name = f"{given} {family}".strip()
    return name or (fallback or "")


def person_name(user):
    """A staff member's display name (see the module docstring); "" for no user."""
    if not user:
        return ""
    return format_person_name(
        getattr(user, "last_name", ""), getattr(user, "first_name", ""), fallback=user.get_username()
    )


class PersonChoiceField(forms.ModelChoiceField):
    """A dropdown of users labelled by person_name (and department, when the queryset joins it)."""

    def __init__(self, *args, with_department=False, **kwargs):
        self.with_department = with_department
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        name = person_name(obj)
        profile = getattr(obj, "profile", None) if self.with_department else None
        department = getattr(profile, "department", None) if profile else None
        return f"{name} ({department})" if department else name

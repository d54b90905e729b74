"""How people are named on pages (a builtin filter library: no {% load %} needed)."""

from django import template

from zhaoshang.core.localized import localized
from zhaoshang.core.names import person_name

register = template.Library()

# `person_name` is the name; `staff_name` is the older spelling kept for existing templates.
staff_name = person_name
register.filter("person_name", person_name)
register.filter("staff_name", staff_name)

# `{{ purpose|localized }}`: a database-stored name in the reader's language (name_en in English).
register.filter("localized", localized)

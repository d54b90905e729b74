"""Number filters for every page (a builtin library): `{{ x|wan }}` amounts, `{{ n|group }}` counts."""

from django import template

from zhaoshang.core import numbers

register = template.Library()


@register.filter
def wan(value, places=2):
    """An amount stored in 万元, written for the active language (see zhaoshang.core.numbers)."""
    return numbers.format_wan(value, int(places))


@register.filter(name="group")
def group_filter(value, places=0):
    """A number with thousands separators: 12,345 (counts) or 12,345.60 with places=2."""
    return numbers.group(value, int(places))

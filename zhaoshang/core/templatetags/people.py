"""How people are named on pages (a builtin filter library: no {% load %} needed)."""

from django import template

register = template.Library()


@register.filter
def staff_name(user):
    """A staff member's name in Chinese order (姓 then 名), or the username; "" for none."""
    if not user:
        return ""
    name = f"{user.last_name}{user.first_name}".strip()
    return name or user.username

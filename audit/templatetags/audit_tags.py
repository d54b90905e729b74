from django import template

register = template.Library()


@register.filter
def change_items(changes):
    """(field, values) pairs of a LogEntry's `changes`, safe for any field name.

    `{{ e.changes.items }}` would look up a changed field called "items" before the dict method.
    """
    return list(changes.items()) if isinstance(changes, dict) else []

"""Small helpers shared by the case views."""

from django.core.exceptions import PermissionDenied

PAGE_SIZE = 50


def require_perm(user, *perms):
    if not all(user.has_perm(p) for p in perms):
        raise PermissionDenied


def parse_cursor(value):
    """A keyset cursor is a positive record id; anything else means the first page."""
    try:
        cursor = int(value)
    except (TypeError, ValueError):
        return None
    return cursor if cursor > 0 else None


def keyset_page(queryset, cursor, size=PAGE_SIZE):
    """Rows with id below the cursor, newest first, and the cursor of the next page (or None)."""
    if cursor:
        queryset = queryset.filter(pk__lt=cursor)
    rows = list(queryset.order_by("-pk")[: size + 1])
    next_cursor = rows[size - 1].pk if len(rows) > size else None
    return rows[:size], next_cursor

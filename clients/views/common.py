"""Small helpers shared by the case views."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .. import services
from ..forms import CollaboratorForm

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


def add_collaborator(request, obj):
    """POST handler body shared by enterprises and projects: add a 协办 from CollaboratorForm."""
    form = CollaboratorForm(request.POST)
    if form.is_valid():
        try:
            services.collaborator_add(
                by=request.user,
                obj=obj,
                user=form.cleaned_data["username"],
                write=form.cleaned_data["write"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("已添加协办人。"))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(obj)


def remove_collaborator(request, obj, user_id):
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is not None:
        services.collaborator_remove(by=request.user, obj=obj, user=user)
        messages.success(request, _("已移除协办人。"))
    return redirect(obj)

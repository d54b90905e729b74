"""Who sees and who may act on a complaint: one scope, one gate, one identity rule."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from clients.models import DataScope, Role
from clients.roles import has_role, user_scope

C = Role.Code


def is_office(user):
    """The complaint office (投诉处理专员 with manage_complaints): sees and steers every complaint."""
    return bool(user and user.is_authenticated and user.has_perm("complaints.manage_complaints"))


def _department_ids(user, scope):
    profile = getattr(user, "profile", None)
    if profile is None or profile.department_id is None:
        return set()
    if scope == DataScope.DEPARTMENT_TREE:
        return profile.department.descendant_ids()
    return {profile.department_id}


def complaint_scope_q(user):
    """The rows of `Complaint` a user may see, as a filter (applied in SQL, never after)."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm("complaints.view_complaint"):
        return Q(pk__in=[])
    if is_office(user) or has_role(user, C.PRIVACY_OFFICER, C.AUDITOR, C.ADMIN):
        return Q()
    scope = user_scope(user)
    q = Q(handler=user)
    if scope in (DataScope.DEPARTMENT, DataScope.DEPARTMENT_TREE, DataScope.ALL):
        q |= Q(department_id__in=_department_ids(user, scope))
    return q


def can_act(user, complaint):
    """May change the complaint at all (the services check each step's own rule)."""
    if is_office(user) or complaint.handler_id == user.pk:
        return True
    return user.has_perm("complaints.approve_extension") and complaint.department_id in _department_ids(
        user, user_scope(user)
    )


def get_complaint_for_user(user, pk, *, write=False):
    from .models import Complaint

    try:
        complaint = (
            Complaint.objects.visible_to(user)
            .select_related("kind", "category", "department", "subject_department", "handler")
            .get(pk=pk)
        )
    except (Complaint.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if write and not can_act(user, complaint):
        raise PermissionDenied
    return complaint


def can_reveal_identity(user):
    """Only the complaint office and the privacy officer; never the department complained about."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.has_perm("complaints.reveal_complainant") and (is_office(user) or has_role(user, C.PRIVACY_OFFICER))

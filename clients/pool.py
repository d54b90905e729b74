"""公海 pool: which unowned projects a user's pool holds, and the rules for claiming one.

Officers have the 本人 scope, so `Project.visible_to` alone would never show them an unowned
project. The pool is a scope of its own, over company data only (project title, enterprise
name, stage, department, dates): `POOL_SCOPE = "zone"` serves every user who may claim;
`"department"` serves the users of the project's department and of the departments above and
below it (a bureau and its offices share one pool; another bureau's officers do not see it).
Opening the pool never opens the project's contacts or follow-ups: those follow ownership, which
only a claim gives.

Claiming (`project_claim`, the only path) refuses, with a Chinese message, an officer who already
holds `POOL_CLAIM_LIMIT` claimed active projects (0: no limit), and the officer who released the
project within the last `POOL_RECLAIM_COOLDOWN_DAYS` days. Releases and claims are `Assignment`
rows: the project's history.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Assignment, Project
from .models.org import Department, StaffProfile
from .scopes import _department_tree_sql, project_scope_q

NOTHING = Q(pk__in=[])
RELEASE_KINDS = (Assignment.Kind.RELEASE, Assignment.Kind.AUTO_RELEASE)


def may_claim(user):
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.has_perm("clients.change_project"))


def pool_scope_q(user):
    """The pool projects (unowned, not terminated) the user's pool serves, beyond their own scope."""
    if not may_claim(user):
        return NOTHING
    if settings.POOL_SCOPE == "zone":
        return Q(pk__isnull=False)  # not Q(): an empty Q drops out of an OR
    if not StaffProfile.objects.filter(user_id=user.pk, department__isnull=False).exists():
        return NOTHING
    below = RawSQL(_department_tree_sql(), (user.pk,))  # noqa: S611 - fixed SQL, the user id is a parameter
    above = RawSQL(_ancestors_sql(), (user.pk,))  # noqa: S611 - fixed SQL, the user id is a parameter
    return Q(department_id__in=below) | Q(department_id__in=above)


_ANCESTORS_SQL = (
    "WITH RECURSIVE zs_up(id) AS ("
    "SELECT d.parent_id FROM {department} d INNER JOIN {profile} p ON p.department_id = d.id "
    "WHERE p.user_id = %s AND d.parent_id IS NOT NULL "
    "UNION SELECT d.parent_id FROM {department} d INNER JOIN zs_up u ON d.id = u.id WHERE d.parent_id IS NOT NULL"
    ") SELECT id FROM zs_up"
)


def _ancestors_sql():
    """The departments above the user's (a recursive CTE up the small department table; UNION stops
    on a cycle): a sub-office's officers are served by the pool of the bureau it belongs to."""
    return _ANCESTORS_SQL.format(profile=StaffProfile._meta.db_table, department=Department._meta.db_table)


def pool_for_user(user):
    """Every pool project the user may see on the pool page: the pool's scope or their own."""
    return Project.objects.in_pool().filter(pool_scope_q(user) | project_scope_q(user))


def get_pool_project_for_user(user, pk):
    """The gate of the pool: 404 for a project outside the user's pool (never confirm it exists)."""
    try:
        return pool_for_user(user).select_related("enterprise", "department").get(pk=pk)
    except (Project.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def last_move():
    """The kind of a project's latest Assignment (claim, release, assign...), as a subquery."""
    return Subquery(Assignment.objects.filter(project=OuterRef("pk")).order_by("-at", "-id").values("kind")[:1])


def claimed_count(user):
    """Active projects the user holds because they claimed them from the pool (the last move was a claim)."""
    return (
        Project.objects.active()
        .filter(owner=user)
        .annotate(last_kind=last_move())
        .filter(last_kind=Assignment.Kind.CLAIM)
        .count()
    )


def reclaim_blocked_until(user, project, *, now=None):
    """When `user` released `project` into the pool less than the cool-down ago: the time they may
    claim it back; otherwise None."""
    days = settings.POOL_RECLAIM_COOLDOWN_DAYS
    if days <= 0:
        return None
    now = now or timezone.now()
    last = (
        Assignment.objects.filter(project=project, kind__in=RELEASE_KINDS)
        .order_by("-at", "-id")
        .values("from_owner_id", "at")
        .first()
    )
    if not last or last["from_owner_id"] != user.pk:
        return None
    until = last["at"] + timedelta(days=days)
    return until if until > now else None


def claim_refusal(user, project):
    """Why `user` may not claim `project` now (a Chinese sentence), or "" when they may."""
    if not may_claim(user):
        return _("您的角色不能认领项目。")
    if not project.in_pool:
        return _("该项目已有负责人，不能认领。")
    if not pool_for_user(user).filter(pk=project.pk).exists():
        return _("该项目不在您可认领的公海范围内（公海按部门划分）。")
    until = reclaim_blocked_until(user, project)
    if until:
        return _("您刚释放了该项目，%(date)s 之后才能重新认领。") % {
            "date": timezone.localtime(until).strftime("%Y-%m-%d %H:%M")
        }
    limit = settings.POOL_CLAIM_LIMIT
    if limit > 0 and claimed_count(user) >= limit:
        return _("您认领的在办项目已达上限（%(limit)s 个），请先推进或释放已认领的项目。") % {"limit": limit}
    return ""


@transaction.atomic
def project_claim(*, user, project):
    """Claim a project from the 公海 pool: the claimer becomes its owner and its department's."""
    from django.contrib.auth import get_user_model

    from .services import ServiceError, _department_of, _follow_enterprise

    if not may_claim(user):
        raise PermissionDenied(_("您的角色不能认领项目。"))
    # One claimer at a time per user (the limit) and per project (first come, first served).
    get_user_model().objects.select_for_update(of=("self",)).filter(pk=user.pk).first()
    project = Project.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=project.pk)
    if refusal := claim_refusal(user, project):
        raise ServiceError(refusal)
    project.owner = user
    project.department = _department_of(user) or project.department
    project.released_at = None
    project.last_activity_at = timezone.now()
    project.save(update_fields=["owner", "department", "released_at", "last_activity_at", "updated_at"])
    _follow_enterprise(project, user, None)
    Assignment.objects.create(project=project, to_owner=user, by=user, kind=Assignment.Kind.CLAIM)
    return project


def pool_release_due(project, *, now=None):
    """When the idle job will put an owned project back into the pool (None for one it spares)."""
    if project.owner_id is None or project.legal_hold or not project.last_activity_at:
        return None
    return project.last_activity_at + timedelta(days=settings.PUBLIC_POOL_IDLE_DAYS)

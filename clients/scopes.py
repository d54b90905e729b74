"""Who may see and change which case records: the one place the data scopes are turned into SQL.

Every list, detail gate, search, count, dashboard figure and export goes through
`<Model>.objects.visible_to(user)`, which calls the functions here. Everything is a `Q` over the
record's own columns plus uncorrelated subqueries (the user's department tree, the guardian grant
tables), so the filter runs in the database, in the one statement, and never loads rows into Python.

Scopes (the widest of the user's roles, see clients.roles.user_scope):
- SELF: the record's owner is the user.
- SELF_AND_SUBORDINATES: the owner is the user or one of the user's *direct* subordinates
  (StaffProfile.supervisor = user; one level, not recursive).
- DEPARTMENT: the record's department is the user's department.
- DEPARTMENT_TREE: the record's department is the user's department or below it.
- ALL: everything.
Plus, whatever the scope, records with a current explicit grant (协办, temporary access) to the user
or to one of the user's groups.
Derived access is computed, never stored: an enterprise is also visible to whoever owns one of its
projects or holds a current grant (user or group) on one of them, for exactly as long as that
ownership or grant lasts -- reassigning, releasing, removing a collaborator or the expiry of a
temporary grant takes the enterprise (and so its contacts) away in the same statement.
Contacts follow their enterprise; follow-ups follow their project.
"""

import functools

from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from .models.org import DataScope, Department, StaffProfile
from .roles import user_scope

NOTHING = Q(pk__in=[])
VIEW_CODENAMES = {
    "enterprise": ("view_enterprise", "change_enterprise"),
    "project": ("view_project", "change_project"),
}


def user_department_id(user):
    cached = getattr(user, "_zs_department_id", False)
    if cached is False:
        cached = StaffProfile.objects.filter(user=user).values_list("department_id", flat=True).first()
        user._zs_department_id = cached
    return cached


def departments_headed_tree(user):
    """Ids of every department the user heads, and everything below them."""
    cached = getattr(user, "_zs_headed_tree", None)
    if cached is None:
        cached = set()
        for dept_id in Department.objects.filter(head=user).values_list("pk", flat=True):
            cached |= Department.tree_ids(dept_id)
        user._zs_headed_tree = cached
    return cached


_TREE_SQL = (
    "WITH RECURSIVE zs_tree(id) AS ("
    "SELECT p.department_id FROM {profile} p WHERE p.user_id = %s AND p.department_id IS NOT NULL "
    "UNION SELECT d.id FROM {department} d INNER JOIN zs_tree t ON d.parent_id = t.id"
    ") SELECT id FROM zs_tree"
)


def _department_tree_sql():
    """The ids of the user's department and every department below it, as one SQL subquery.

    A recursive CTE over the (small) department table, so the DEPARTMENT_TREE scope costs no query of
    its own and is never stale: a department moved or a user transferred counts from the next
    statement. UNION (not UNION ALL) stops on a cycle, as `Department.tree_ids` does. A user without
    a department (or without a profile) gets the empty set.
    """
    tables = {"profile": StaffProfile._meta.db_table, "department": Department._meta.db_table}
    return _TREE_SQL.format(**tables)


def _own_scope_q(user, *, owner="owner", department="department"):
    """The user's data scope over a record's own owner and department columns, all in SQL.

    The department scopes read the user's department (and the tree below it) in subqueries of the
    same statement rather than in queries of their own; a user without a department sees, as
    before, only the records they own.
    """
    scope = user_scope(user)
    if scope is None:
        return NOTHING
    if scope == DataScope.ALL:
        return Q()
    own = Q(**{f"{owner}_id": user.pk})
    if scope == DataScope.SELF:
        return own
    if scope == DataScope.SELF_AND_SUBORDINATES:
        subordinates = StaffProfile.objects.filter(supervisor=user).values("user_id")
        return own | Q(**{f"{owner}_id__in": subordinates})
    if scope == DataScope.DEPARTMENT:
        mine = StaffProfile.objects.filter(user_id=user.pk, department__isnull=False).values("department_id")
        return Q(**{f"{department}_id__in": mine}) | own
    # DEPARTMENT_TREE
    tree = RawSQL(_department_tree_sql(), (user.pk,))  # noqa: S611 - fixed SQL, the user id is a parameter
    return Q(**{f"{department}_id__in": tree}) | own


_GRANTS_SQL = (
    "SELECT g.{object} FROM {user_grants} g INNER JOIN {permission} p ON p.id = g.{user_permission} "
    "WHERE g.{user} = %s AND p.codename IN (%s, %s) AND (g.{expires} IS NULL OR g.{expires} > %s) "
    "UNION ALL "
    "SELECT g.{group_object} FROM {group_grants} g INNER JOIN {permission} p ON p.id = g.{group_permission} "
    "INNER JOIN {membership} m ON m.group_id = g.{group} "
    "WHERE m.user_id = %s AND p.codename IN (%s, %s)"
)


def _grant_q(user, grant_model, group_grant_model, codenames):
    """Records with a current grant to the user or to one of the user's groups (see `_grant_sql`)."""
    sql, params = _grant_sql(user, grant_model, group_grant_model, codenames)
    return Q(pk__in=RawSQL(sql, params))  # noqa: S611 - identifiers from the models, values as parameters


def _grant_sql(user, grant_model, group_grant_model, codenames):
    """(sql, params) of the ids of records with a current grant to the user or to one of their groups.

    One uncorrelated ``pk IN (…)`` subquery (PostgreSQL hashes it once per statement, as it did
    with the two EXISTS this replaces). It is fixed SQL over the grant tables alone, with no
    reference to the outer query, so it is safe inside any outer statement or subquery; written
    by hand because building and compiling the same two ORM subqueries cost several times the
    rest of the scoped query on every list page and search. The text is built once per process.
    """
    view, change = codenames
    return _grant_sql_text(grant_model, group_grant_model), (
        user.pk,
        view,
        change,
        timezone.now(),
        user.pk,
        view,
        change,
    )


@functools.cache
def _grant_sql_text(grant_model, group_grant_model):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    meta, group_meta = grant_model._meta, group_grant_model._meta
    return _GRANTS_SQL.format(
        object=meta.get_field("content_object").column,
        user_grants=meta.db_table,
        user_permission=meta.get_field("permission").column,
        user=meta.get_field("user").column,
        expires=meta.get_field("expires_at").column,
        group_object=group_meta.get_field("content_object").column,
        group_grants=group_meta.db_table,
        group_permission=group_meta.get_field("permission").column,
        group=group_meta.get_field("group").column,
        permission=Permission._meta.db_table,
        membership=get_user_model().groups.through._meta.db_table,
    )


_DERIVED_SQL = (
    "SELECT p.{enterprise} FROM {project} p WHERE p.{owner} = %s "
    "UNION ALL "
    "SELECT p.{enterprise} FROM {project} p WHERE p.{pk} IN ({grants})"
)


def _derived_enterprise_sql(user):
    """(sql, params) of the enterprises the user reaches through a project: one they own, or one
    granted to them (or to one of their groups) and not expired. Fixed SQL over the project and
    grant tables, uncorrelated like `_grant_sql`, served by the project owner index and the grant
    tables' indexes."""
    from .models.project import ProjectGroupObjectPermission, ProjectUserObjectPermission

    grants_sql, grants_params = _grant_sql(
        user, ProjectUserObjectPermission, ProjectGroupObjectPermission, VIEW_CODENAMES["project"]
    )
    return _derived_sql_text(grants_sql), (user.pk, *grants_params)


@functools.cache
def _derived_sql_text(grants_sql):
    from .models.project import Project

    meta = Project._meta
    return _DERIVED_SQL.format(
        enterprise=meta.get_field("enterprise").column,
        project=meta.db_table,
        owner=meta.get_field("owner").column,
        pk=meta.pk.column,
        grants=grants_sql,
    )


def _enterprise_scope(user, *, derived):
    from .models.enterprise import EnterpriseGroupObjectPermission, EnterpriseUserObjectPermission

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    own = _own_scope_q(user)
    if own == Q():
        return own
    sql, params = _grant_sql(
        user, EnterpriseUserObjectPermission, EnterpriseGroupObjectPermission, VIEW_CODENAMES["enterprise"]
    )
    if derived:
        derived_sql, derived_params = _derived_enterprise_sql(user)
        sql, params = f"{sql} UNION ALL {derived_sql}", (*params, *derived_params)
    return own | Q(pk__in=RawSQL(sql, params))  # noqa: S611 - identifiers from the models, values as parameters


def enterprise_scope_q(user):
    """Scope, direct grants, and the enterprises of the user's own and granted projects (one subquery)."""
    return _enterprise_scope(user, derived=True)


def enterprise_base_q(user):
    """The enterprises a user reaches on their own -- scope and direct grants, nothing through a
    project: what is left when their enterprise grants go (see clients.grants)."""
    return _enterprise_scope(user, derived=False)


def project_scope_q(user):
    from .models.project import ProjectGroupObjectPermission, ProjectUserObjectPermission

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    own = _own_scope_q(user)
    if own == Q():
        return own
    return own | _grant_q(user, ProjectUserObjectPermission, ProjectGroupObjectPermission, VIEW_CODENAMES["project"])


def can_write(user, obj):
    """May `user` change this enterprise or project? Owner, write-collaborator, or department head.

    The caller has already established that the record is in the user's scope.
    """
    from .models.enterprise import Enterprise, EnterpriseUserObjectPermission
    from .models.project import ProjectUserObjectPermission

    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if obj.owner_id == user.pk:
        return True
    if obj.department_id and obj.department_id in departments_headed_tree(user):
        return True
    if isinstance(obj, Enterprise):
        grants, codename = EnterpriseUserObjectPermission.objects, "change_enterprise"
    else:
        grants, codename = ProjectUserObjectPermission.objects, "change_project"
    return (
        grants.filter(content_object=obj, user=user, permission__codename=codename)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .exists()
    )


def can_control(user, obj):
    """May `user` share this enterprise or project with others (add or remove 协办)? Its owner, the
    head of its department (or of one above), or a superuser -- not a collaborator, even one who may
    edit: access can only be handed on by those who control the record."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or (obj.owner_id is not None and obj.owner_id == user.pk):
        return True
    return bool(obj.department_id) and obj.department_id in departments_headed_tree(user)


def is_head_of(user, department_id):
    """Is `user` the head of this department or of one above it?"""
    return bool(department_id) and department_id in departments_headed_tree(user)


# --- gates: one per protected object ---------------------------------------------------------


def _gate(user, queryset, pk, *, view_perm, change_perm, write):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    try:
        obj = queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not user.has_perm(view_perm):
        raise PermissionDenied
    if write and not (user.has_perm(change_perm) and can_write(user, obj)):
        raise PermissionDenied
    return obj


def get_enterprise_for_user(user, pk, *, write=False):
    from .models import Enterprise

    qs = Enterprise.objects.visible_to(user).select_related("owner", "department", "reported_by", "verified_by")
    return _gate(
        user, qs, pk, view_perm="clients.view_enterprise", change_perm="clients.change_enterprise", write=write
    )


def get_project_for_user(user, pk, *, write=False):
    from .models import Project

    qs = Project.objects.visible_to(user).select_related("enterprise", "owner", "department")
    return _gate(user, qs, pk, view_perm="clients.view_project", change_perm="clients.change_project", write=write)


def get_contact_for_user(user, pk, *, write=False):
    """A contact is reachable when its enterprise is; writing it needs write access to the enterprise."""
    from django.core.exceptions import PermissionDenied

    from .models import Contact

    qs = Contact.objects.visible_to(user).select_related("enterprise", "enterprise__owner", "enterprise__department")
    contact = _gate(user, qs, pk, view_perm="clients.view_contact", change_perm="clients.change_contact", write=False)
    if write and not (user.has_perm("clients.change_contact") and can_write(user, contact.enterprise)):
        raise PermissionDenied
    return contact


def get_followup_for_user(user, pk, *, write=False):
    from django.core.exceptions import PermissionDenied

    from .models import FollowUp

    qs = FollowUp.objects.visible_to(user).select_related("project", "author")
    followup = _gate(
        user, qs, pk, view_perm="clients.view_followup", change_perm="clients.change_followup", write=False
    )
    if write and not (followup.author_id == user.pk or can_write(user, followup.project)):
        raise PermissionDenied
    return followup

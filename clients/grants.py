"""What happens to the access a grant made possible when the grant goes.

Access that follows from a project -- its enterprise (and so the enterprise's contacts) for the
project's owner and its collaborators -- is computed in `clients.scopes`, never stored, so it ends
with the ownership or project grant it came from. What is stored, and must be undone here, is
what a person did with an enterprise grant while they held it: the projects they created on the
enterprise (which made them an owner, and let them share the project). When their enterprise
access is withdrawn and nothing else of theirs reaches the enterprise (scope, another grant),
those projects go back to the enterprise's owner -- or to the 公海 pool when it has none -- with
every collaborator grant made on them, and each hand-back is in the project's assignment history.
"""

from django.utils import timezone
from django.utils.translation import gettext as _


def enterprise_access_withdrawn(*, enterprise, user, by):
    """After `user`'s grants on `enterprise` were removed: hand back what they held through them.

    Called inside the removing service's transaction. Returns the projects handed back.
    """
    from .models import Assignment, Enterprise, Project, ProjectUserObjectPermission
    from .scopes import enterprise_base_q

    for attr in ("_zs_roles", "_zs_department_id", "_zs_headed_tree"):
        user.__dict__.pop(attr, None)  # a cached scope must not outlive the change
    if Enterprise.objects.filter(enterprise_base_q(user)).filter(pk=enterprise.pk).exists():
        return []  # the enterprise is theirs anyway (scope or another grant): nothing came from this one
    projects = list(Project.objects.select_for_update(of=("self",)).filter(enterprise=enterprise, owner=user))
    new_owner = enterprise.owner if enterprise.owner_id not in (None, user.pk) else None
    now = timezone.now()
    for project in projects:
        ProjectUserObjectPermission.objects.filter(content_object=project).delete()
        project.owner = new_owner
        project.department = enterprise.department if new_owner else project.department
        project.released_at = None if new_owner else now
        project.last_activity_at = now
        project.save(update_fields=["owner", "department", "released_at", "last_activity_at", "updated_at"])
        Assignment.objects.create(
            project=project,
            from_owner=user,
            to_owner=new_owner,
            by=by,
            kind=Assignment.Kind.ASSIGN if new_owner else Assignment.Kind.RELEASE,
            note=_("企业协办授权已撤销，项目及其协办授权一并收回"),
        )
    return projects

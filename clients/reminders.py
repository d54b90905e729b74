"""Reminders of case work picked up daily from the database (not scheduled ahead).

`followups_notify_overdue`: the owner of a project whose planned next contact date has passed is
told once per date (`once_key`), through the one notification mechanism. Only dates of the last
`FOLLOWUP_OVERDUE_WINDOW_DAYS` count, so the first run does not flood people with old ones; the
dashboard's overdue panel keeps listing them all.

[L] `pool_notify_release_soon`: the owner of a project the idle job will put back into the 公海
pool within `POOL_RELEASE_WARNING_DAYS` is told once per release date (a follow-up moves the date,
so a new warning comes only if the project goes idle again). `team_notify_overdue`: each
department head gets, once a day, the number of their team's overdue follow-ups; the list itself
is their dashboard panel `team_overdue_panel`. Both kinds go into the daily digest by default.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.names import format_person_name
from zhaoshang.core.notifications import notify

from .models import Department, FollowUp, Project, Role
from .roles import has_role

FOLLOWUP_OVERDUE_WINDOW_DAYS = 7


def followups_notify_overdue(*, today=None):
    """Notify owners of overdue follow-ups, once per project and date. Returns notifications written."""
    today = today or timezone.localdate()
    rows = (
        FollowUp.objects.overdue(today)
        .filter(
            next_contact_date__gte=today - datetime.timedelta(days=FOLLOWUP_OVERDUE_WINDOW_DAYS),
            project__owner__isnull=False,
            project__owner__is_active=True,
        )
        .select_related(None)
        .select_related("project__owner")
        .only("id", "next_contact_date", "project__id", "project__owner")
        .order_by("pk")
    )
    written = 0
    for followup in rows.iterator(chunk_size=500):
        project = followup.project
        date = followup.next_contact_date
        with transaction.atomic():
            written += len(
                notify(
                    [project.owner],
                    "followup_overdue",
                    project,
                    {"project": project.pk, "date": date},
                    once_key=f"{date:%Y-%m-%d}",
                )
            )
    return written


# --- [L] 公海 release warnings and the heads' team digest ---------------------------------------

KINDS = {
    "pool_release_soon": {
        "label": _("项目即将释放到公海"),
        "text": _("项目 #%(project)s 久未跟进，将于 %(date)s 自动释放到公海"),
        "params": ("project", "date"),
        "url_name": "clients:project_detail",
        "default": "digest",
    },
    "team_followups_overdue": {
        "label": _("团队跟进逾期汇总"),
        "text": _("截至 %(date)s，您团队有 %(count)s 个项目的计划联系已逾期"),
        "params": ("date", "count"),
        "url_name": "core:dashboard",
        "by_object": False,
        "default": "digest",
    },
}


def register_kinds():
    """Register the kinds above with the notification mechanism (once, from clients.apps)."""
    from zhaoshang.core.notifications.kinds import KINDS as REGISTERED
    from zhaoshang.core.notifications.kinds import register_kind

    for code, options in KINDS.items():
        if code not in REGISTERED:
            register_kind(code, **options)


def pool_notify_release_soon(*, now=None):
    """Warn owners of projects the idle job will release within POOL_RELEASE_WARNING_DAYS. Returns rows written."""
    now = now or timezone.now()
    idle = datetime.timedelta(days=settings.PUBLIC_POOL_IDLE_DAYS)
    ahead = datetime.timedelta(days=settings.POOL_RELEASE_WARNING_DAYS)
    rows = (
        Project.objects.active()
        .filter(
            owner__isnull=False,
            owner__is_active=True,
            legal_hold=False,
            last_activity_at__lt=now - idle + ahead,
            last_activity_at__gte=now - idle,
        )
        .select_related("owner")
        .only("id", "last_activity_at", "owner")
        .order_by("pk")
    )
    written = 0
    for project in rows.iterator(chunk_size=500):
        due = timezone.localdate(project.last_activity_at + idle)
        with transaction.atomic():
            written += len(
                notify(
                    [project.owner],
                    "pool_release_soon",
                    project,
                    {"project": project.pk, "date": due},
                    once_key=f"{due:%Y-%m-%d}",
                )
            )
    return written


def team_overdue_projects(head, *, today=None):
    """The projects of the departments `head` heads (and below) with an overdue planned contact."""
    from .scopes import departments_headed_tree

    today = today or timezone.localdate()
    depts = departments_headed_tree(head)
    if not depts:
        return Project.objects.none()
    overdue = FollowUp.objects.overdue(today).values("project_id")
    return Project.objects.active().filter(department_id__in=depts, owner__isnull=False, pk__in=overdue)


def team_notify_overdue(*, today=None):
    """Tell each active department head how many of their team's projects are overdue, once a day."""
    today = today or timezone.localdate()
    written = 0
    heads = {d.head for d in Department.objects.filter(head__isnull=False, head__is_active=True).select_related("head")}
    for head in sorted(heads, key=lambda u: u.pk):
        count = team_overdue_projects(head, today=today).count()
        if not count:
            continue
        with transaction.atomic():
            written += len(
                notify(
                    [head],
                    "team_followups_overdue",
                    None,
                    {"date": today, "count": count},
                    once_key=f"{today:%Y-%m-%d}",
                )
            )
    return written


def team_overdue_panel(request):
    """Dashboard panel for heads: their team's projects whose planned contact is overdue, by officer."""
    user = request.user
    if not (
        user.is_authenticated and user.has_perm("clients.view_project") and has_role(user, Role.Code.DEPARTMENT_HEAD)
    ):
        return None
    projects = team_overdue_projects(user)
    by_owner = [
        {**row, "name": format_person_name(row["owner__last_name"], row["owner__first_name"], row["owner__username"])}
        for row in projects.values("owner__username", "owner__last_name", "owner__first_name")
        .annotate(n=Count("pk"))
        .order_by("-n")
    ]
    rows = list(projects.select_related("owner").only("id", "title", "owner").order_by("last_activity_at")[:20])
    return {
        "template": "clients/panels/team_overdue.html",
        "order": 12,
        "projects": rows,
        "by_owner": by_owner,
        "total": sum(r["n"] for r in by_owner),
    }

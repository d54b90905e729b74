"""Reminders through notify(): pool projects about to be released (owner) and the team's overdue
follow-ups (heads, a daily count, and the list on their dashboard)."""

import datetime
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from clients import reminders, services, tasks
from clients.models import Project
from zhaoshang.core.notifications.kinds import get_kind
from zhaoshang.core.notifications.models import Notification


def test_owner_is_warned_once_before_the_idle_release(officer1, make_project, settings):
    settings.PUBLIC_POOL_IDLE_DAYS, settings.POOL_RELEASE_WARNING_DAYS = 30, 3
    soon, later, held = make_project(officer1), make_project(officer1), make_project(officer1)
    Project.objects.filter(pk__in=[soon.pk, held.pk]).update(last_activity_at=timezone.now() - timedelta(days=28))
    Project.objects.filter(pk=held.pk).update(legal_hold=True)
    Project.objects.filter(pk=later.pk).update(last_activity_at=timezone.now() - timedelta(days=20))
    assert tasks.notify_pool_release_warnings() == 1
    assert tasks.notify_pool_release_warnings() == 0  # once per release date
    note = Notification.objects.get(kind="pool_release_soon")
    assert note.user == officer1 and note.object_id == soon.pk and note.channel == "digest"
    due = timezone.localdate(timezone.now() + timedelta(days=2))
    assert (
        get_kind("pool_release_soon").render(note.params)
        == f"项目 #{soon.pk} 久未跟进，将于 {due:%Y-%m-%d} 自动释放到公海"
    )


def test_head_gets_the_team_count_and_sees_the_list(client_for, head1, officer1, officer2, make_project):
    mine, theirs = make_project(officer1, title="一局逾期项目"), make_project(officer2, title="二局逾期项目")
    for project, user in ((mine, officer1), (theirs, officer2)):
        services.followup_create(
            user=user,
            project=project,
            date=datetime.date.today() - timedelta(days=10),
            method="phone",
            summary="电话",
            next_contact_date=datetime.date.today() - timedelta(days=2),
        )
    assert reminders.team_overdue_projects(head1).get() == mine
    assert tasks.notify_team_overdue() == 2  # head1 and head2, one count each
    assert tasks.notify_team_overdue() == 0
    note = Notification.objects.get(kind="team_followups_overdue", user=head1)
    assert note.params["count"] == 1
    body = client_for(head1).get(reverse("core:dashboard")).content.decode()
    assert 'id="panel-team-overdue"' in body and "一局逾期项目" in body and "二局逾期项目" not in body
    assert 'id="panel-team-overdue"' not in client_for(officer1).get(reverse("core:dashboard")).content.decode()


def test_beat_runs_both_jobs(settings):
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"clients.tasks.notify_pool_release_warnings", "clients.tasks.notify_team_overdue"} <= tasks_scheduled

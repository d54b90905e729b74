"""分派, reassignment revoking grants, claim/release and the 公海 release job."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from clients import services, tasks
from clients.models import Assignment, Enterprise, Project, ProjectUserObjectPermission


def _sees(user, obj):
    user.__dict__.pop("_zs_roles", None)
    return type(obj).objects.visible_to(user).filter(pk=obj.pk).exists()


def test_head_assigns_project_and_grants_follow(head1, officer1, officer3, make_project):
    project = make_project(officer1)
    services.project_assign(by=head1, project=project, to_user=officer3)
    project.refresh_from_db()
    assert project.owner == officer3
    assert project.department.code == "zs1-sh"
    assert _sees(officer3, project) and _sees(officer3, project.enterprise)
    assert Assignment.objects.filter(project=project, from_owner=officer1, to_owner=officer3, by=head1).exists()


def test_reassignment_revokes_the_former_owners_access(head1, officer1, officer3, make_project):
    enterprise_owner_project = make_project(officer1)
    project = make_project(officer1, enterprise=enterprise_owner_project.enterprise)
    services.project_assign(by=head1, project=project, to_user=officer3)
    assert _sees(officer3, project.enterprise)  # via a grant that followed the assignment
    services.project_assign(by=head1, project=project, to_user=officer1)
    assert not _sees(officer3, project)
    assert not _sees(officer3, project.enterprise)
    assert _sees(officer1, project)


def test_officer_cannot_assign(officer1, officer3, make_project):
    project = make_project(officer1)
    with pytest.raises(PermissionDenied):
        services.project_assign(by=officer1, project=project, to_user=officer3)


def test_head_of_another_department_cannot_assign(org, officer1, officer2, make_project):
    project = make_project(officer1)
    with pytest.raises(PermissionDenied):
        services.project_assign(by=org["head2"], project=project, to_user=officer2)


def test_release_and_claim_move_the_project_through_the_pool(officer1, officer3, make_project):
    project = make_project(officer1)
    services.project_release(user=officer1, project=project)
    project.refresh_from_db()
    assert project.owner is None and project.in_pool
    assert not _sees(officer1, project)
    services.project_claim(user=officer3, project=project)
    project.refresh_from_db()
    assert project.owner == officer3
    assert list(project.assignments.values_list("kind", flat=True)) == ["claim", "release"]


def test_idle_job_releases_and_notifies_owner_and_head(
    officer1, head1, make_project, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_POOL_IDLE_DAYS = 30
    idle = make_project(officer1, title="久未跟进的项目")
    busy = make_project(officer1)
    Project.objects.filter(pk=idle.pk).update(last_activity_at=timezone.now() - timedelta(days=31))
    Project.objects.filter(pk=busy.pk).update(last_activity_at=timezone.now() - timedelta(days=29))

    with django_capture_on_commit_callbacks(execute=True):  # e-mails leave once each release commits
        assert tasks.release_idle_projects() == 1

    idle.refresh_from_db()
    busy.refresh_from_db()
    assert idle.owner is None and busy.owner == officer1
    assert Assignment.objects.get(project=idle).kind == Assignment.Kind.AUTO_RELEASE
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {officer1.email, head1.email}
    assert "公海" in mail.outbox[0].subject
    # Idempotent: a second run releases nothing more.
    assert tasks.release_idle_projects() == 0


def test_idle_job_spares_projects_under_legal_hold(officer1, make_project):
    project = make_project(officer1)
    Project.objects.filter(pk=project.pk).update(last_activity_at=timezone.now() - timedelta(days=90), legal_hold=True)
    assert tasks.release_idle_projects() == 0


def test_write_collaborator_may_change_read_collaborator_may_not(officer1, officer2, make_project):
    project = make_project(officer2)
    services.collaborator_add(by=officer2, obj=project, user=officer1, write=False)
    with pytest.raises(PermissionDenied):
        services.project_change_stage(user=officer1, project=project, to_stage="contacted")
    services.collaborator_add(by=officer2, obj=project, user=officer1, write=True)
    services.project_change_stage(user=officer1, project=project, to_stage="contacted")
    assert ProjectUserObjectPermission.objects.filter(user=officer1, content_object=project).count() == 2


def test_stage_history_records_every_change(officer1, make_project):
    project = make_project(officer1)
    services.project_change_stage(user=officer1, project=project, to_stage="contacted")
    services.project_change_stage(user=officer1, project=project, to_stage="negotiation")
    services.project_change_stage(user=officer1, project=project, to_stage="signed")
    project.refresh_from_db()
    assert [c.to_stage for c in project.stage_changes.all()] == ["lead", "contacted", "negotiation", "signed"]
    assert project.signed_at == timezone.localdate()


def test_termination_needs_a_reason(officer1, make_project):
    project = make_project(officer1)
    with pytest.raises(services.ServiceError):
        services.project_change_stage(user=officer1, project=project, to_stage="terminated")


def test_duplicate_check_finds_credit_code_and_similar_name(officer1, officer2, make_enterprise):
    existing = make_enterprise(officer2, name="杭州云帆科技有限公司")
    by_code = services.enterprise_find_duplicates(credit_code=existing.credit_code)
    by_name = services.enterprise_find_duplicates(name="杭州云帆科技股份有限公司")
    assert by_code == [existing] and by_name == [existing]
    assert not Enterprise.objects.visible_to(officer1).filter(pk=existing.pk).exists()

"""Every way to reach a record is walked grant → derived access → revoke → no access.

"Access" is checked where a person would use it: the enterprise page, the contact page and the
reveal of the contact's clear mobile (over HTTP, as the signed-in user), and the list scopes
(`visible_to`). After each revocation none of them may answer: pages 404, reveal 404, lists empty.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from clients import services
from clients.models import (
    Contact,
    Enterprise,
    EnterpriseGroupObjectPermission,
    EnterpriseUserObjectPermission,
    Project,
    ProjectGroupObjectPermission,
    ProjectUserObjectPermission,
    StaffProfile,
)

MOBILE = "13912345678"


@pytest.fixture
def case(officer1, make_enterprise):
    """An enterprise of officer1 (招商一局) with one contact and one project."""
    enterprise = make_enterprise(officer1)
    contact = services.contact_create(
        user=officer1,
        enterprise=enterprise,
        name="王小明",
        mobile=MOBILE,
        source="client",
        purpose="investment_liaison",
    )
    project = services.project_create(user=officer1, enterprise=enterprise, title="走访项目")
    return enterprise, contact, project


def _fresh(user):
    for attr in ("_zs_roles", "_zs_department_id", "_zs_headed_tree", "_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(attr, None)
    return user


def reach(client_for, user, enterprise, contact, project=None):
    """What `user` can do with the enterprise, its contact (and a project): every door at once."""
    _fresh(user)
    client = client_for(user)
    reveal = client.post(f"/clients/contacts/{contact.pk}/reveal/mobile/", {"purpose": "call"})
    got = {
        "enterprise_list": Enterprise.objects.visible_to(user).filter(pk=enterprise.pk).exists(),
        "contact_list": Contact.objects.visible_to(user).filter(pk=contact.pk).exists(),
        "enterprise_page": client.get(f"/clients/enterprises/{enterprise.pk}/").status_code,
        "contact_page": client.get(f"/clients/contacts/{contact.pk}/").status_code,
        "reveal": reveal.status_code,
        "clear_mobile": MOBILE in reveal.content.decode(),
    }
    if project is not None:
        got["project_list"] = Project.objects.visible_to(_fresh(user)).filter(pk=project.pk).exists()
        got["project_page"] = client.get(f"/clients/projects/{project.pk}/").status_code
    return got


def has_access(got):
    return got["enterprise_list"] and got["contact_page"] == 200 and got["clear_mobile"]


def no_access(got):
    return (
        not got["enterprise_list"]
        and not got["contact_list"]
        and got["enterprise_page"] == 404
        and got["contact_page"] == 404
        and got["reveal"] == 404
        and not got["clear_mobile"]
        and not got.get("project_list", False)
        and got.get("project_page", 404) == 404
    )


def test_project_assignment_and_reassignment(client_for, case, officer1, officer3, head1):
    enterprise, contact, project = case
    assert no_access(reach(client_for, officer3, enterprise, contact, project))
    services.project_assign(by=head1, project=project, to_user=officer3)
    got = reach(client_for, officer3, enterprise, contact, project)
    assert has_access(got) and got["project_page"] == 200
    services.project_assign(by=head1, project=project, to_user=officer1)
    assert no_access(reach(client_for, officer3, enterprise, contact, project))


def test_enterprise_assignment_and_reassignment(client_for, officer1, officer3, head1, make_enterprise):
    enterprise = make_enterprise(officer1)
    contact = services.contact_create(user=officer1, enterprise=enterprise, name="李雷", mobile=MOBILE)
    services.enterprise_assign(by=head1, enterprise=enterprise, to_user=officer3)
    assert has_access(reach(client_for, officer3, enterprise, contact))
    assert no_access(reach(client_for, officer1, enterprise, contact))  # the former owner, without a project on it
    services.enterprise_assign(by=head1, enterprise=enterprise, to_user=officer1)
    assert no_access(reach(client_for, officer3, enterprise, contact))


def test_department(client_for, case, head1):
    enterprise, contact, project = case
    assert has_access(reach(client_for, head1, enterprise, contact, project))  # 招商一局 is head1's department
    StaffProfile.objects.filter(user=head1).update(department=None)  # transferred out
    from clients.models import Department

    Department.objects.filter(head=head1).update(head=None)
    assert no_access(reach(client_for, head1, enterprise, contact, project))


def test_enterprise_collaborator_and_what_they_did_with_it(client_for, case, officer1, officer2, officer3):
    """A write collaborator creates a project on the enterprise and shares it; revoking the
    collaborator takes back the enterprise, the project and the grants made on it."""
    enterprise, contact, _project = case
    services.collaborator_add(by=officer1, obj=enterprise, user=officer2, write=True)
    assert has_access(reach(client_for, officer2, enterprise, contact))
    own = services.project_create(user=officer2, enterprise=enterprise, title="协办人新建的项目")
    services.collaborator_add(by=officer2, obj=own, user=officer3)
    assert has_access(reach(client_for, officer3, enterprise, contact, own))

    services.collaborator_remove(by=officer1, obj=enterprise, user=officer2)
    assert no_access(reach(client_for, officer2, enterprise, contact, own))
    assert no_access(reach(client_for, officer3, enterprise, contact, own))
    own.refresh_from_db()
    assert own.owner == officer1 and not ProjectUserObjectPermission.objects.filter(content_object=own).exists()
    assert own.assignments.get().from_owner == officer2


def test_read_only_enterprise_collaborator_can_neither_create_projects_nor_share(client_for, case, officer1, officer2):
    enterprise, _contact, _project = case
    services.collaborator_add(by=officer1, obj=enterprise, user=officer2)
    with pytest.raises(PermissionDenied):
        services.project_create(user=officer2, enterprise=enterprise, title="只读协办人的项目")
    client = client_for(officer2)
    assert client.post(f"/clients/enterprises/{enterprise.pk}/projects/new/", {"title": "x"}).status_code == 403
    assert not Project.objects.filter(owner=officer2).exists()
    assert client.get(f"/clients/enterprises/{enterprise.pk}/").content.decode().count("新建项目") == 0


def test_only_those_who_control_a_record_can_share_it(case, officer1, officer2, officer3):
    enterprise, _contact, project = case
    services.collaborator_add(by=officer1, obj=enterprise, user=officer2, write=True)
    services.collaborator_add(by=officer1, obj=project, user=officer2, write=True)
    for obj in (enterprise, project):
        with pytest.raises(PermissionDenied):
            services.collaborator_add(by=officer2, obj=obj, user=officer3)
        with pytest.raises(PermissionDenied):
            services.collaborator_remove(by=officer2, obj=obj, user=officer1)


def test_project_collaborator(client_for, case, officer1, officer2):
    enterprise, contact, project = case
    services.collaborator_add(by=officer1, obj=project, user=officer2)
    assert has_access(reach(client_for, officer2, enterprise, contact, project))
    assert not EnterpriseUserObjectPermission.objects.filter(user=officer2).exists()  # derived, not stored
    services.collaborator_remove(by=officer1, obj=project, user=officer2)
    assert no_access(reach(client_for, officer2, enterprise, contact, project))


def test_temporary_project_collaborator_expires(client_for, case, officer1, officer2):
    enterprise, contact, project = case
    services.collaborator_add(by=officer1, obj=project, user=officer2, days=3)
    assert has_access(reach(client_for, officer2, enterprise, contact, project))
    ProjectUserObjectPermission.objects.filter(user=officer2).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert no_access(reach(client_for, officer2, enterprise, contact, project))


def _permission(codename):
    return Permission.objects.get(content_type__app_label="clients", codename=codename)


def test_group_grant_on_a_project(client_for, case, officer2):
    enterprise, contact, project = case
    team = Group.objects.create(name="招商专班")
    team.user_set.add(officer2)
    grant = ProjectGroupObjectPermission.objects.create(
        content_object=project, group=team, permission=_permission("view_project")
    )
    assert has_access(reach(client_for, officer2, enterprise, contact, project))
    grant.delete()
    assert no_access(reach(client_for, officer2, enterprise, contact, project))


def test_group_grant_on_an_enterprise_and_membership(client_for, case, officer2):
    enterprise, contact, _project = case
    team = Group.objects.create(name="外资专班")
    team.user_set.add(officer2)
    EnterpriseGroupObjectPermission.objects.create(
        content_object=enterprise, group=team, permission=_permission("view_enterprise")
    )
    assert has_access(reach(client_for, officer2, enterprise, contact))
    team.user_set.remove(officer2)
    assert no_access(reach(client_for, officer2, enterprise, contact))


def test_collaboration_request(client_for, case, officer1, officer2):
    """协办 request: the requester asks from a 查重 result; the owner adds them; then removes them."""
    from clients.views.enterprises import collaboration_token
    from zhaoshang.core.notifications.models import Notification

    enterprise, contact, _project = case
    link = f"/clients/enterprises/request-collaboration/{collaboration_token(officer2, enterprise.pk)}/"
    assert client_for(officer2).post(link, {"message": "请加我为协办"}).status_code == 302
    assert Notification.objects.filter(user=officer1, kind="collaboration_request").exists()
    assert no_access(reach(client_for, officer2, enterprise, contact))  # asking opens nothing
    client_for(officer1).post(f"/clients/enterprises/{enterprise.pk}/collaborators/", {"username": "officer2"})
    assert has_access(reach(client_for, officer2, enterprise, contact))
    client_for(officer1).post(f"/clients/enterprises/{enterprise.pk}/collaborators/{officer2.pk}/remove/")
    assert no_access(reach(client_for, officer2, enterprise, contact))


def test_pool_claim_and_release(client_for, case, officer1, officer3):
    enterprise, contact, project = case
    services.project_release(user=officer1, project=project)
    services.project_claim(user=officer3, project=project)
    assert has_access(reach(client_for, officer3, enterprise, contact, project))
    services.project_release(user=officer3, project=project)
    assert no_access(reach(client_for, officer3, enterprise, contact, project))


def test_project_list_contact_column_applies_the_contact_scope(client_for, officer2, head1, officer1, make_enterprise):
    """head1 sees a 招商一局 project on another department's enterprise, not that enterprise's contacts."""
    other = make_enterprise(officer2)
    services.contact_create(user=officer2, enterprise=other, name="赵敏", mobile="13800009999")
    services.collaborator_add(by=officer2, obj=other, user=officer1, write=True)
    project = services.project_create(user=officer1, enterprise=other, title="跨部门项目")
    assert Project.objects.visible_to(_fresh(head1)).filter(pk=project.pk).exists()
    assert not Enterprise.objects.visible_to(_fresh(head1)).filter(pk=other.pk).exists()
    body = client_for(head1).get("/clients/projects/").content.decode()
    assert "跨部门项目" in body and "9999" not in body  # not even the masked mobile's last digits


def test_stored_derived_grants_are_dropped_by_the_migration(case, officer1, officer2, officer3):
    """Rows written by earlier releases (an assignment grant, a grant beside a project grant) go;
    a deliberate enterprise collaboration stays."""
    import importlib

    from django.apps import apps

    from clients.models import GrantKind

    enterprise, _contact, project = case
    view = _permission("view_enterprise")
    EnterpriseUserObjectPermission.objects.create(
        content_object=enterprise, user=officer3, permission=view, kind=GrantKind.ASSIGNMENT
    )
    services.collaborator_add(by=officer1, obj=project, user=officer2)
    EnterpriseUserObjectPermission.objects.create(content_object=enterprise, user=officer2, permission=view)
    kept = services.collaborator_add(by=officer1, obj=enterprise, user=officer3, write=True)
    migration = importlib.import_module("clients.migrations.0010_drop_stored_derived_enterprise_grants")
    migration.drop_derived(apps, None)
    left = set(EnterpriseUserObjectPermission.objects.values_list("user__username", "permission__codename"))
    assert left == {("officer3", "view_enterprise"), ("officer3", "change_enterprise")}
    assert kept == enterprise

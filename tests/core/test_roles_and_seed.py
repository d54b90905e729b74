import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from clients.models import DataScope, Department, Role, StaffProfile
from clients.roles import ROLE_DEFINITIONS, has_role, user_scope

EXPECTED_ROLES = {
    "officer": ("招商专员", DataScope.SELF),
    "dept_head": ("部门负责人", DataScope.DEPARTMENT_TREE),
    "privacy_officer": ("个人信息保护负责人", DataScope.ALL),
    "complaint_handler": ("投诉处理专员", DataScope.DEPARTMENT),
    "auditor": ("审计员", DataScope.ALL),
    "admin": ("系统管理员", DataScope.ALL),
    "leadership": ("分管领导", DataScope.ALL),
}


@pytest.mark.django_db
def test_migrate_creates_the_roles_with_their_groups_and_scopes():
    roles = {r.code: (r.group.name, r.data_scope) for r in Role.objects.select_related("group")}
    assert roles == EXPECTED_ROLES
    assert set(ROLE_DEFINITIONS) == set(EXPECTED_ROLES)


@pytest.mark.django_db
def test_roles_get_their_model_permissions_after_migrate():
    officer = Group.objects.get(role__code="officer")
    admin = Group.objects.get(role__code="admin")
    assert admin.permissions.filter(codename="change_department").exists()
    assert not officer.permissions.filter(codename="change_department").exists()


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing_the_second_time(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = _counts()
    call_command("seed_demo")
    assert _counts() == counts
    assert "本次新建 0 条" in capsys.readouterr().out


def _counts():
    from django.apps import apps

    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label != "sessions"}


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_with_debug_off(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")


def test_demo_organisation_has_the_named_users(org):
    head1 = org["head1"]
    officer1 = org["officer1"]
    assert officer1.profile.department.name == "招商一局"
    assert org["officer2"].profile.department.name == "招商二局"
    assert officer1.profile.supervisor == head1
    assert Department.objects.get(name="招商一局").head == head1
    assert has_role(org["dpo"], Role.Code.PRIVACY_OFFICER)
    assert user_scope(officer1) == DataScope.SELF
    assert user_scope(head1) == DataScope.DEPARTMENT_TREE
    assert user_scope(org["outsider"]) is None
    assert StaffProfile.objects.filter(user__username__in=["handler", "auditor", "admin"]).count() == 3
    leader = org["leader"]
    assert has_role(leader, Role.Code.LEADERSHIP)
    assert user_scope(leader) == DataScope.ALL
    assert leader.profile.department.code == "gwh"


def test_leadership_reads_cases_and_enters_targets_but_reveals_nothing(org):
    leader = org["leader"]
    assert leader.has_perm("clients.view_project") and leader.has_perm("clients.view_contact")
    assert leader.has_perm("clients.add_target") and leader.has_perm("clients.export_target")
    assert not leader.has_perm("clients.reveal_contact")
    assert not leader.has_perm("clients.change_project")
    assert not org["officer1"].has_perm("clients.add_target")


def test_department_tree_descendants(org):
    zs1 = Department.objects.get(code="zs1")
    names = set(Department.objects.filter(pk__in=zs1.descendant_ids()).values_list("name", flat=True))
    assert names == {"招商一局", "驻上海招商局"}

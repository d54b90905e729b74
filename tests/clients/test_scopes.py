"""The five data scopes and explicit grants, as SQL filters on every case model."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clients import services
from clients.models import DataScope, Enterprise, Project, ProjectUserObjectPermission, Role


@pytest.fixture
def cases(officer1, officer2, officer3, make_project):
    """One project (with its enterprise) per officer: 招商一局, 招商二局, 驻上海招商局 (below 招商一局)."""
    return {
        "p1": make_project(officer1),
        "p2": make_project(officer2),
        "p3": make_project(officer3),
    }


@pytest.fixture
def officer_scope(db):
    """Give the officer role another data scope, as an administrator would in the admin console."""

    def _set(scope):
        Role.objects.filter(code=Role.Code.OFFICER).update(data_scope=scope)

    return _set


def _visible(user):
    for attr in ("_zs_roles", "_zs_department_id"):
        user.__dict__.pop(attr, None)
    return set(Project.objects.visible_to(user).values_list("pk", flat=True))


def test_scope_self_sees_only_own_records(officer1, cases):
    assert _visible(officer1) == {cases["p1"].pk}
    assert set(Enterprise.objects.visible_to(officer1)) == {cases["p1"].enterprise}


def test_scope_self_and_subordinates_adds_direct_reports(officer1, head1, cases, monkeypatch):
    # head1 supervises officer1 and officer3; give head1 only the self+subordinates scope.
    monkeypatch.setattr("clients.scopes.user_scope", lambda user: DataScope.SELF_AND_SUBORDINATES)
    assert _visible(head1) == {cases["p1"].pk, cases["p3"].pk}
    assert _visible(officer1) == {cases["p1"].pk}  # officer1 has no subordinates


def test_scope_department_sees_own_department_only(officer1, officer3, cases, officer_scope):
    officer_scope(DataScope.DEPARTMENT)
    assert _visible(officer1) == {cases["p1"].pk}  # 驻上海招商局 is a different department
    assert _visible(officer3) == {cases["p3"].pk}


def test_scope_department_tree_includes_departments_below(head1, officer1, cases, officer_scope):
    assert _visible(head1) == {cases["p1"].pk, cases["p3"].pk}
    officer_scope(DataScope.DEPARTMENT_TREE)
    assert _visible(officer1) == {cases["p1"].pk, cases["p3"].pk}


def test_scope_all_sees_everything(dpo, auditor, cases):
    everything = {p.pk for p in cases.values()}
    assert _visible(dpo) == everything
    assert _visible(auditor) == everything


def test_outsider_without_role_sees_nothing(outsider, cases):
    assert _visible(outsider) == set()
    assert not Enterprise.objects.visible_to(outsider).exists()


def test_collaborator_grant_opens_project_and_its_enterprise(officer1, officer2, cases):
    services.collaborator_add(by=officer2, obj=cases["p2"], user=officer1)
    assert cases["p2"].pk in _visible(officer1)
    assert Enterprise.objects.visible_to(officer1).filter(pk=cases["p2"].enterprise_id).exists()


def test_expired_temporary_grant_no_longer_opens_the_record(officer1, officer2, cases):
    services.collaborator_add(by=officer2, obj=cases["p2"], user=officer1, days=3)
    assert cases["p2"].pk in _visible(officer1)
    ProjectUserObjectPermission.objects.filter(user=officer1).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert cases["p2"].pk not in _visible(officer1)


def test_visible_to_is_one_query_whatever_the_grants(officer1, officer2, cases, django_assert_num_queries):
    services.collaborator_add(by=officer2, obj=cases["p2"], user=officer1)
    _visible(officer1)  # warm the per-user caches (roles, department)
    with django_assert_num_queries(1):
        list(Project.objects.visible_to(officer1))


def test_department_tree_scope_follows_a_moved_department_on_the_same_request_user(head1, officer2, cases):
    """The tree is read in the scoped statement itself: moving 招商二局 under 招商一局 opens its
    projects to head1 at once (no tree cached on the user object), and moving it back closes them."""
    from clients.models import Department, StaffProfile

    assert cases["p2"].pk not in set(Project.objects.visible_to(head1).values_list("pk", flat=True))
    zs2 = StaffProfile.objects.get(user=officer2).department
    old_parent = zs2.parent_id
    zs2.parent = Department.objects.get(code="zs1")
    zs2.save(update_fields=["parent"])
    assert cases["p2"].pk in set(Project.objects.visible_to(head1).values_list("pk", flat=True))
    zs2.parent_id = old_parent
    zs2.save(update_fields=["parent"])
    assert cases["p2"].pk not in set(Project.objects.visible_to(head1).values_list("pk", flat=True))


def test_department_scopes_read_the_user_department_in_the_same_statement(
    head1, officer1, cases, officer_scope, django_assert_num_queries
):
    officer_scope(DataScope.DEPARTMENT)
    for user in (head1, officer1):  # DEPARTMENT_TREE and DEPARTMENT
        _visible(user)  # warm the role cache; nothing about the department may be needed from Python
        for attr in ("_zs_department_id", "_zs_department_tree"):
            user.__dict__.pop(attr, None)
        with django_assert_num_queries(1):
            list(Project.objects.visible_to(user))


def test_user_without_department_sees_only_own_records_in_department_scopes(officer1, officer2, cases, officer_scope):
    from clients.models import StaffProfile

    StaffProfile.objects.filter(user=officer1).update(department=None)
    for scope in (DataScope.DEPARTMENT, DataScope.DEPARTMENT_TREE):
        officer_scope(scope)
        assert _visible(officer1) == {cases["p1"].pk}


def _grant(model, obj, codename, **who):
    from django.contrib.auth.models import Permission

    permission = Permission.objects.get(content_type__app_label="clients", codename=codename)
    return model.objects.create(content_object=obj, permission=permission, **who)


def test_group_grant_opens_records_to_members_only(officer1, officer3, cases):
    from django.contrib.auth.models import Group

    from clients.models import ProjectGroupObjectPermission
    from clients.models.enterprise import EnterpriseGroupObjectPermission

    team = Group.objects.create(name="专班")
    team.user_set.add(officer1)
    _grant(ProjectGroupObjectPermission, cases["p2"], "view_project", group=team)
    _grant(EnterpriseGroupObjectPermission, cases["p2"].enterprise, "change_enterprise", group=team)
    assert _visible(officer1) == {cases["p1"].pk, cases["p2"].pk}
    assert Enterprise.objects.visible_to(officer1).filter(pk=cases["p2"].enterprise_id).exists()
    assert _visible(officer3) == {cases["p3"].pk}  # not a member
    assert not Enterprise.objects.visible_to(officer3).filter(pk=cases["p2"].enterprise_id).exists()


def test_grant_of_another_permission_does_not_open_the_record(officer1, cases):
    _grant(ProjectUserObjectPermission, cases["p2"], "delete_project", user=officer1)
    assert _visible(officer1) == {cases["p1"].pk}
    _grant(ProjectUserObjectPermission, cases["p2"], "change_project", user=officer1)
    assert _visible(officer1) == {cases["p1"].pk, cases["p2"].pk}


def test_grants_apply_inside_the_contact_scope(officer1, officer2, cases):
    """Contacts follow the enterprise scope, grant subquery included, from inside another query."""
    from clients.models import Contact
    from clients.models.enterprise import EnterpriseUserObjectPermission

    contact = services.contact_create(
        user=officer2,
        enterprise=cases["p2"].enterprise,
        name="测试",
        mobile="13900000000",
        source="client",
        purpose="investment_liaison",
    )
    assert not Contact.objects.visible_to(officer1).filter(pk=contact.pk).exists()
    _grant(EnterpriseUserObjectPermission, cases["p2"].enterprise, "view_enterprise", user=officer1)
    assert Contact.objects.visible_to(officer1).search_mobile("13900000000").get() == contact

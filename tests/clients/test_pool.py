"""公海 for officers: the pool page lists what the pool serves, claims go through the page, and the
refusals (limit, cool-down, another department, taken meanwhile) are said in Chinese."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients import pool, services
from clients.models import Assignment, Project


@pytest.fixture
def pooled(head1, officer1, make_project):
    """A project of 招商一局 that its head put back into the pool."""

    def _make(**fields):
        project = make_project(officer1, **fields)
        services.project_release(user=head1, project=project)
        project.refresh_from_db()
        return project

    return _make


def _claim(client, project):
    return client.post(reverse("clients:project_claim", args=[project.pk]), follow=True)


def test_officer_sees_the_pool_of_their_department_and_claims_through_the_page(client_for, officer3, pooled):
    project = pooled(title="驻沪可认领项目")
    client = client_for(officer3)
    page = client.get(reverse("clients:project_pool"))
    assert "驻沪可认领项目" in page.content.decode()
    response = _claim(client, project)
    assert response.redirect_chain[-1][0] == reverse("clients:project_detail", args=[project.pk])
    project.refresh_from_db()
    assert project.owner == officer3
    # the claim and the release are in the project's history, on its page
    assert list(project.assignments.values_list("kind", flat=True)) == ["claim", "release"]
    body = response.content.decode()
    assert "认领" in body and "释放到公海" in body


def test_officer_of_another_department_neither_sees_nor_claims(client_for, officer2, pooled, settings):
    settings.POOL_SCOPE = "department"
    project = pooled(title="一局的公海项目")
    client = client_for(officer2)
    assert "一局的公海项目" not in client.get(reverse("clients:project_pool")).content.decode()
    assert client.post(reverse("clients:project_claim", args=[project.pk])).status_code == 404
    project.refresh_from_db()
    assert project.owner is None


def test_zone_wide_pool_serves_every_officer(client_for, officer2, pooled, settings):
    settings.POOL_SCOPE = "zone"
    project = pooled(title="全区公海项目")
    client = client_for(officer2)
    assert "全区公海项目" in client.get(reverse("clients:project_pool")).content.decode()
    _claim(client, project)
    project.refresh_from_db()
    assert project.owner == officer2


def test_claim_beyond_the_limit_is_refused_in_chinese(client_for, officer3, pooled, settings):
    settings.POOL_CLAIM_LIMIT = 1
    first, second = pooled(), pooled()
    client = client_for(officer3)
    _claim(client, first)
    response = _claim(client, second)
    assert response.status_code == 200
    assert "认领的在办项目已达上限（1 个）" in response.content.decode()
    second.refresh_from_db()
    assert second.owner is None
    assert pool.claimed_count(officer3) == 1
    settings.POOL_CLAIM_LIMIT = 2
    _claim(client, second)
    second.refresh_from_db()
    assert second.owner == officer3


def test_limit_counts_claimed_projects_only(officer1, officer3, head1, pooled, make_project, settings):
    settings.POOL_CLAIM_LIMIT = 1
    make_project(officer3)  # created, not claimed
    project = pooled()
    services.project_claim(user=officer3, project=project)
    assert pool.claimed_count(officer3) == 1
    # a head's assignment is not a claim: it frees a place, and the new owner has not claimed it
    services.project_assign(by=head1, project=project, to_user=officer1)
    assert pool.claimed_count(officer3) == 0
    assert pool.claimed_count(officer1) == 0


def test_releasing_officer_waits_for_the_cool_down(client_for, officer1, make_project, settings):
    settings.POOL_RECLAIM_COOLDOWN_DAYS = 7
    project = make_project(officer1)
    client = client_for(officer1)
    client.post(reverse("clients:project_release", args=[project.pk]))
    response = _claim(client, project)
    assert "您刚释放了该项目" in response.content.decode()
    project.refresh_from_db()
    assert project.owner is None
    Assignment.objects.filter(project=project).update(at=timezone.now() - timedelta(days=8))
    _claim(client, project)
    project.refresh_from_db()
    assert project.owner == officer1


def test_project_taken_meanwhile_is_said_not_404(client_for, officer1, officer3, pooled):
    project = pooled()
    services.project_claim(user=officer3, project=project)
    response = _claim(client_for(officer1), project)
    assert response.status_code == 200
    assert "该项目已被认领" in response.content.decode()


def test_pool_page_does_not_open_the_projects_follow_ups_or_contacts(client_for, officer3, pooled):
    project = pooled(title="仅公司信息")
    body = client_for(officer3).get(reverse("clients:project_pool")).content.decode()
    assert "仅公司信息" in body
    assert f'href="{reverse("clients:project_detail", args=[project.pk])}"' not in body
    assert client_for(officer3).get(reverse("clients:project_detail", args=[project.pk])).status_code == 404


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 302), ("outsider", 404), ("officer2", 404), ("auditor", 404), ("officer3", 302)],
)
def test_claim_matrix(client_for, org, pooled, who, expected):
    project = pooled()
    response = client_for(org[who] if who else None).post(reverse("clients:project_claim", args=[project.pk]))
    assert response.status_code == expected
    project.refresh_from_db()
    if who == "officer3":
        assert project.owner == org["officer3"]
    else:
        assert project.owner is None
        if who is None:
            assert "login" in response["Location"]


def test_pool_page_matrix(client_for, org):
    assert client_for(None).get(reverse("clients:project_pool")).status_code == 302
    assert client_for(org["outsider"]).get(reverse("clients:project_pool")).status_code == 403
    assert client_for(org["officer1"]).get(reverse("clients:project_pool")).status_code == 200


def test_pool_for_user_keeps_terminated_and_owned_projects_out(officer1, officer3, pooled, make_project):
    open_one = pooled()
    make_project(officer1)
    assert list(pool.pool_for_user(officer3).values_list("pk", flat=True)) == [open_one.pk]
    Project.objects.filter(pk=open_one.pk).update(stage="terminated")
    assert not pool.pool_for_user(officer3).exists()

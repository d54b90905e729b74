"""Each role's key sees exactly what the portal shows that role; other departments' records are 404.

Every integration below acts as a service user in 招商一局 (zs1) with one of the six roles. The
cases: a project of officer1 (zs1), of officer2 (zs2, another department), of officer3 (驻上海招商局,
below zs1) and one owned by the service user itself.
"""

import pytest

from clients.models import Contact, Project

from .conftest import error

ROLES = ["officer", "dept_head", "privacy_officer", "complaint_handler", "auditor", "admin", "leadership"]


@pytest.fixture
def cases(officer1, officer2, officer3, make_project):
    return {"p1": make_project(officer1), "p2": make_project(officer2), "p3": make_project(officer3)}


def _all_pages(client, url):
    ids, next_url = [], f"{url}?page_size=2"
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        next_url = body["next"]
    return ids


def _portal_ids(django_client, user, url, key):
    django_client.force_login(user)
    ids, params = [], {}
    while True:
        response = django_client.get(url, params)
        assert response.status_code == 200
        ids += [row.pk for row in response.context[key]]
        if not response.context["next_cursor"]:
            break
        params = {"after": response.context["next_cursor"]}
    django_client.logout()
    return ids


@pytest.mark.parametrize("role", ROLES)
def test_project_and_enterprise_lists_equal_the_portal_for_the_same_role(
    role, cases, make_integration, make_project, api, client
):
    integration = make_integration(role)
    user = integration.service_user
    own = make_project(user) if role in ("officer", "dept_head") else None
    api_client = api(integration)
    api_projects = _all_pages(api_client, "/api/v1/projects/")
    api_enterprises = _all_pages(api_client, "/api/v1/enterprises/")
    expected = set(Project.objects.visible_to(user).values_list("pk", flat=True))
    assert len(api_projects) == len(set(api_projects))  # no row twice across pages
    assert set(api_projects) == expected
    assert api_projects == _portal_ids(client, user, "/clients/projects/", "projects")
    assert api_enterprises == _portal_ids(client, user, "/clients/enterprises/", "enterprises")
    wide = role in ("privacy_officer", "auditor", "admin", "leadership")
    assert (cases["p2"].pk in expected) is wide  # another department: only the ALL scopes
    assert (cases["p3"].pk in expected) is (wide or role == "dept_head")
    assert (cases["p1"].pk in expected) is (role != "officer")
    if own is not None:
        assert own.pk in expected


OTHER_DEPARTMENT_URLS = [
    ("get", "/api/v1/projects/{p}/"),
    ("get", "/api/v1/projects/{p}/followups/"),
    ("post", "/api/v1/projects/{p}/followups/"),
    ("post", "/api/v1/projects/{p}/stage/"),
    ("get", "/api/v1/enterprises/{e}/"),
    ("get", "/api/v1/contacts/{c}/consent/"),
    ("post", "/api/v1/contacts/{c}/reveal/"),
]


@pytest.mark.parametrize("role", ["officer", "dept_head"])
@pytest.mark.parametrize("method,url", OTHER_DEPARTMENT_URLS)
def test_other_departments_records_answer_404(role, method, url, cases, make_integration, api, officer2):
    from audit.models import AccessEvent
    from clients import services

    project = cases["p2"]
    contact = services.contact_create(user=officer2, enterprise=project.enterprise, name="王五", mobile="13800001111")
    integration = make_integration(role)
    path = url.format(p=project.pk, e=project.enterprise_id, c=contact.pk)
    response = getattr(api(integration), method)(
        path, {"field": "mobile", "purpose": "call"} if method == "post" else None
    )
    assert response.status_code == 404, response.content
    assert error(response)["code"] == "not_found"
    # The refusal names no record and is an access event ("denied") of the service user.
    assert AccessEvent.objects.filter(user=integration.service_user, action="denied").count() == 1


def test_a_role_that_may_look_but_not_change_gets_403_on_writes(cases, make_integration, api):
    integration = make_integration("auditor")
    response = api(integration).post(f"/api/v1/projects/{cases['p1'].pk}/stage/", {"stage": "visit"})
    assert response.status_code == 403
    assert error(response)["code"] == "permission_denied"
    assert Project.objects.get(pk=cases["p1"].pk).stage == "lead"


def test_complaint_handler_role_cannot_read_contacts(cases, make_integration, api, officer1):
    from clients import services

    contact = services.contact_create(user=officer1, enterprise=cases["p1"].enterprise, name="赵六")
    integration = make_integration("complaint_handler")
    client = api(integration)
    assert client.get(f"/api/v1/contacts/{contact.pk}/consent/").status_code == 403
    assert (
        client.post(f"/api/v1/contacts/{contact.pk}/reveal/", {"field": "name", "purpose": "call"}).status_code == 403
    )
    body = client.get(f"/api/v1/enterprises/{cases['p1'].enterprise_id}/").json()
    assert body["contacts"] == []  # the portal shows it no contacts either
    assert Contact.objects.filter(enterprise=cases["p1"].enterprise).exists()


def test_a_collaborator_grant_to_the_service_user_opens_that_one_project(cases, make_integration, api, officer2):
    from clients import services

    integration = make_integration("officer")
    client = api(integration)
    assert client.get(f"/api/v1/projects/{cases['p2'].pk}/").status_code == 404
    services.collaborator_add(by=officer2, obj=cases["p2"], user=integration.service_user)
    assert client.get(f"/api/v1/projects/{cases['p2'].pk}/").status_code == 200
    assert [row["id"] for row in client.get("/api/v1/projects/").json()["results"]] == [cases["p2"].pk]

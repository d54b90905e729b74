"""Every clients URL against every persona: anonymous, owner, other department, supervisor/head,
privacy officer, auditor, complaint handler, outsider, leader (分管领导: every department, read only).
Out of scope is 404; in scope but not allowed is 403."""

import datetime

import pytest
from django.urls import reverse

from clients import services
from clients import urls as clients_urls

PERSONAS = ["anonymous", "officer1", "officer2", "head1", "dpo", "auditor", "handler", "outsider", "leader"]

# name → (args from the case fixture, expected status per persona in PERSONAS order)
R, N, F = 200, 404, 403
GET_MATRIX = {
    "enterprise_list": ((), [302, R, R, R, R, R, R, F, R]),
    "enterprise_create": ((), [302, R, R, R, F, F, F, F, F]),
    "enterprise_check": ((), [302, R, R, R, F, F, F, F, F]),
    "enterprise_detail": (("e",), [302, R, N, R, R, R, N, N, R]),
    "enterprise_edit": (("e",), [302, R, N, R, F, F, N, N, F]),
    "enterprise_assign": (("e",), [302, F, N, R, F, F, N, N, F]),
    "enterprise_verify": (("e",), [302, F, N, R, F, F, N, N, F]),
    # reachable only through a signed 查重 link, bound to the user it was shown to (here officer2)
    "enterprise_request_collaboration": (("collab",), [302, N, R, N, F, F, F, F, F]),
    "contact_create": (("e",), [302, R, N, R, F, F, F, F, F]),
    "project_create": (("e",), [302, R, N, R, F, F, F, F, F]),
    "contact_detail": (("c",), [302, R, N, R, R, R, N, N, R]),
    "contact_edit": (("c",), [302, R, N, R, F, F, N, N, F]),
    "project_list": ((), [302, R, R, R, R, R, R, F, R]),
    "project_pool": ((), [302, R, R, R, R, R, R, F, R]),
    "project_detail": (("p",), [302, R, N, R, R, R, N, N, R]),
    "project_edit": (("p",), [302, R, N, R, F, F, N, N, F]),
    "project_assign": (("p",), [302, F, N, R, F, F, N, N, F]),
    "followup_create": (("p",), [302, R, N, R, F, F, F, F, F]),
    "search": ((), [302, R, R, R, R, R, R, F, R]),
    "import_list": ((), [302, R, R, R, F, F, F, F, F]),
    "import_template": (("kind",), [302, R, R, R, F, F, F, F, F]),
    "import_upload": (("kind",), [302, R, R, R, F, F, F, F, F]),
    "import_batch": (("batch",), [302, R, N, N, F, F, F, F, F]),
    "import_progress": (("batch",), [302, R, N, N, F, F, F, F, F]),
    "export": (("kind",), [302, R, R, R, R, F, F, F, F]),
    "cockpit": ((), [302, R, R, R, R, R, R, F, R]),
    # [L] targets: officers read their own, heads and leadership enter and export; others refused
    "target_list": ((), [302, R, R, R, F, F, F, F, R]),
    "target_export": ((), [302, F, F, R, F, F, F, F, R]),
}
# POST-only URLs: anonymous is sent to sign in, a GET is refused with 405, the POST outcomes are below.
POST_ONLY = {
    "enterprise_collaborator_add": ("e",),
    "enterprise_collaborator_remove": ("e", "u"),
    "contact_reveal": ("c", "field"),
    "contact_request_collaboration": ("ctoken",),
    "project_stage": ("p",),
    "project_milestone_add": ("p",),
    "project_claim": ("p",),
    "project_release": ("p",),
    "project_collaborator_add": ("p",),
    "project_collaborator_remove": ("p", "u"),
    "import_undo": ("batch",),
    "import_retry": ("batch",),
    "project_tranche_add": ("p",),
    "project_plan_set": ("p",),
}


@pytest.fixture
def case(officer1, officer2, make_project):
    project = make_project(officer1)
    contact = services.contact_create(
        user=officer1,
        enterprise=project.enterprise,
        name="李四",
        mobile="13812345678",
        email="lisi@example.com",
        source="client",
        purpose="investment_liaison",
    )
    services.followup_create(
        user=officer1, project=project, date=datetime.date.today(), method="phone", summary="电话沟通用地需求"
    )
    from clients.models import ImportBatch

    batch = ImportBatch.objects.create(kind="enterprise", user=officer1)
    from clients.people import collaboration_token as person_token
    from clients.views.enterprises import collaboration_token

    return {
        "collab": collaboration_token(officer2, project.enterprise.pk),
        "ctoken": person_token(officer2, contact.pk),
        "e": project.enterprise.pk,
        "p": project.pk,
        "c": contact.pk,
        "u": officer1.pk,
        "kind": "enterprise",
        "field": "mobile",
        "batch": batch.pk,
    }


def _url(name, argnames, case):
    return reverse(f"clients:{name}", args=[case[a] for a in argnames])


def test_matrix_covers_every_clients_url():
    names = {p.name for p in clients_urls.urlpatterns}
    assert names == set(GET_MATRIX) | set(POST_ONLY)


@pytest.mark.parametrize("name", sorted(GET_MATRIX))
def test_get_matrix(name, org, case, client_for):
    argnames, expected = GET_MATRIX[name]
    url = _url(name, argnames, case)
    got = []
    for persona in PERSONAS:
        user = None if persona == "anonymous" else org[persona]
        response = client_for(user).get(url)
        got.append(response.status_code)
        if persona == "anonymous":
            assert "/account/login/" in response["Location"]
    assert dict(zip(PERSONAS, got, strict=True)) == dict(zip(PERSONAS, expected, strict=True))


@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_post_only_urls_need_login_and_post(name, org, case, client_for):
    url = _url(name, POST_ONLY[name], case)
    assert client_for(None).post(url).status_code == 302
    assert client_for(org["officer1"]).get(url).status_code == 405


@pytest.mark.parametrize(
    ("name", "persona", "status"),
    [
        ("project_stage", "officer2", 404),
        ("project_stage", "dpo", 403),
        ("project_release", "officer2", 404),
        ("project_release", "auditor", 403),
        ("project_milestone_add", "officer2", 404),
        ("project_collaborator_add", "officer2", 404),
        ("enterprise_collaborator_add", "officer2", 404),
        ("contact_reveal", "officer2", 404),
        ("contact_reveal", "auditor", 403),
        ("contact_reveal", "outsider", 404),
        ("import_undo", "officer2", 404),
        ("import_retry", "officer2", 404),
        ("import_retry", "dpo", 403),
        ("contact_request_collaboration", "officer1", 404),  # a link issued to officer2
        ("contact_request_collaboration", "dpo", 403),
        ("project_tranche_add", "officer2", 404),
        ("project_tranche_add", "leader", 403),
        ("project_tranche_add", "auditor", 403),
        ("project_plan_set", "officer2", 404),
        ("project_plan_set", "leader", 403),
    ],
)
def test_post_outside_scope_or_role_is_refused(name, persona, status, org, case, client_for):
    url = _url(name, POST_ONLY[name], case)
    assert client_for(org[persona]).post(url, {"purpose": "call", "stage": "visit"}).status_code == status


def test_owner_moves_stage_by_post(org, case, client_for):
    url = _url("project_stage", ("p",), case)
    response = client_for(org["officer1"]).post(url, {"stage": "negotiation"})
    assert response.status_code == 302
    from clients.models import Project

    assert Project.objects.get(pk=case["p"]).stage == "negotiation"

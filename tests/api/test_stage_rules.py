"""The API's stage endpoint follows the same transitions table as the portal (clients.stages)."""

from clients import services
from tests.api.conftest import error


def test_api_back_move_needs_a_reason_and_termination_a_reason_code(make_integration, api, officer1, make_project):
    integration = make_integration("dept_head")
    client = api(integration)
    project = make_project(officer1)
    services.collaborator_add(by=officer1, obj=project, user=integration.service_user, write=True)
    url = f"/api/v1/projects/{project.pk}/stage/"
    assert client.post(url, {"stage": "signed"}).status_code == 200
    response = client.post(url, {"stage": "visit"})
    assert response.status_code == 400 and "须说明原因" in error(response)["message"]
    response = client.post(url, {"stage": "terminated", "reason": "企业落户他市"})
    assert response.status_code == 400 and "原因分类" in error(response)["message"]
    response = client.post(url, {"stage": "terminated", "reason": "企业落户他市", "loss_reason": "relocated"})
    assert response.status_code == 200, response.content
    project.refresh_from_db()
    assert (project.loss_reason.code, project.lost_at_stage) == ("relocated", "signed")

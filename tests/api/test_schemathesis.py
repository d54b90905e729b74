"""Schemathesis against the generated OpenAPI schema, through the WSGI app, with a valid key.

A bounded, deterministic run (`SCHEMATHESIS_MAX_EXAMPLES` per operation, default 30; positive
and negative inputs): no response may be a 500, every status must be documented, and every
body must match the schema. `.ci/run` runs this module as its own step.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "30"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
def api_key(db, make_integration, officer1, make_project):
    """A department head's integration with every scope, over a few real records."""
    from clients import services

    integration = make_integration("dept_head", rate_limit_per_minute=100000)
    for _ in range(3):
        project = make_project(officer1)
        services.collaborator_add(by=officer1, obj=project, user=integration.service_user, write=True)
        services.contact_create(user=officer1, enterprise=project.enterprise, name="测试联系人", mobile="13800000000")
    return integration.key


@pytest.fixture
def wsgi_app():
    """The project's WSGI app, kept from closing the test's database connection after each request
    (as Django's own test client does), so the requests see the test's data."""
    from django.core import signals
    from django.db import close_old_connections

    from zhaoshang.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _generated_schema():
    """The schema /api/schema/ serves, generated the same way (no request or database needed)."""
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


schema = schemathesis.openapi.from_dict(_generated_schema())
schema.app = __import__("zhaoshang.wsgi", fromlist=["application"]).application
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=MAX_EXAMPLES,
    deterministic=True,
    with_security_parameters=False,  # the key is ours to send: a mutated header is not an input error
)


def test_the_served_schema_is_the_tested_one(client, api_key):
    served = client.get("/api/schema/", HTTP_AUTHORIZATION=f"Api-Key {api_key}")
    assert served.status_code == 200
    assert served.json()["paths"].keys() == schema.raw_schema["paths"].keys()


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
def test_api_conforms_to_its_schema(case, api_key, wsgi_app):
    case.call_and_validate(headers={"Authorization": f"Api-Key {api_key}"}, checks=CHECKS)

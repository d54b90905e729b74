"""The public complaint form while Redis refuses connections: the rate limit is not counted (and says
so in the log), the complaint is saved and its tracking link shown — never a 500, nothing lost."""

import logging

import pytest
from django.urls import reverse

from complaints.models import Complaint

from .test_views_and_jobs import _form

pytestmark = pytest.mark.faults


def test_public_complaint_is_filed_when_redis_is_down(client, kinds, categories, redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="zhaoshang.core.ratelimit"):
        response = client.post(reverse("complaints:public_new"), _form(kinds, categories), REMOTE_ADDR="10.7.0.1")
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    done = client.get(response["Location"]).content.decode()
    assert complaint.reference in done and "/complaints/t/" in done
    warning = [r.getMessage() for r in caplog.records if r.name == "zhaoshang.core.ratelimit"]
    assert warning and "complaints.public-form" in warning[0] and "10.7.0.1" not in warning[0]

"""[N] Every choice shows its label: in templates, lists and exports, never the stored code.

A CharField gets `get_<field>_display` only when it is declared with `choices=` (a TextChoices class
beside it is not enough: the template then prints nothing, and a streamed export dies mid-way).
The static check finds every `get_<name>_display` the code and templates use and requires a model
field of that name with choices; the render checks put one row of every choice in the project and
complaint lists and exports and look for each label.
"""

import csv
import io
import pathlib
import re

import openpyxl
import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse

from tests.clients.conftest import make_enterprise, make_project  # noqa: F401 - fixtures
from tests.complaints.conftest import categories, kinds, make_complaint  # noqa: F401 - fixtures

ROOT = pathlib.Path(settings.BASE_DIR)
PROJECT_APPS = {"clients", "privacy", "complaints", "audit", "core"}


def test_every_display_method_used_exists_on_a_model_field_with_choices():
    used = set()
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/**/*.py")]:
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        used.update(re.findall(r"get_(\w+?)_display", path.read_text(encoding="utf-8", errors="ignore")))
    with_choices = {
        f.name
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if f.choices
        and (model._meta.app_label in PROJECT_APPS or model._meta.app_label in {"auth", "auditlog", "contenttypes"})
    }
    with_choices.add("action")  # auditlog's LogEntry.action (an integer field with choices)
    with_choices |= {"empty_value", "list"}  # ModelAdmin.get_empty_value_display / get_list_display
    pending = set()
    missing = sorted(name for name in used if name not in with_choices | pending)
    assert not missing, f"get_<field>_display used without a field with choices: {missing}"


@pytest.mark.django_db
def test_project_list_and_export_show_every_stage_label(client_for, head1, officer1, make_project):  # noqa: F811
    from clients.models import Project, Stage

    for stage in Stage:
        project = make_project(officer1, title=f"阶段{stage.value}")
        Project.objects.filter(pk=project.pk).update(stage=stage)
    client = client_for(head1)
    body = client.get(reverse("clients:project_list")).content.decode()
    export = client.get(reverse("clients:export", args=["project"]))
    cells = {str(c.value) for row in openpyxl.load_workbook(io.BytesIO(export.content)).active.iter_rows() for c in row}
    for stage in Stage:
        assert str(stage.label) in body, stage
        assert str(stage.label) in cells, stage
        assert stage.value not in cells


@pytest.mark.django_db
def test_complaint_list_and_export_show_every_status_and_channel_label(client_for, handler, make_complaint):  # noqa: F811
    from complaints.models import Channel, Complaint, Status

    made = [make_complaint(channel=channel)[0] for channel in Channel]
    for i, status in enumerate(Status):
        complaint = made[i] if i < len(made) else make_complaint()[0]
        Complaint.objects.filter(pk=complaint.pk).update(status=status)
    client = client_for(handler)
    body = client.get(reverse("complaints:list")).content.decode()
    export = client.get(reverse("complaints:analysis_export"))
    text = export.content.decode("utf-8-sig") if not export.streaming else b"".join(export.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    exported = {cell for row in rows[1:] for cell in row}
    for status in Status:
        assert f">{status.label}<" in body, status
        assert str(status.label) in exported, status
    for channel in Channel:
        assert str(channel.label) in exported, channel

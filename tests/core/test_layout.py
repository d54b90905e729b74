"""Layout rules of the code base: no application module over 600 lines, and audit and retention
registrations that name only models that exist (anything else stops start-up)."""

import os
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 600
# Tests and migrations are exempt; the rest (apps, zhaoshang/, bench/, scripts/) counts.
SKIPPED_DIRS = {"tests", "migrations", "static", "locale", "node_modules", "__pycache__"}


def oversized_modules(root=ROOT, limit=MAX_LINES):
    """'path: N lines' for every application module of `root` longer than `limit` lines."""
    found = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [d for d in subdirs if d not in SKIPPED_DIRS and not d.startswith(".")]
        for name in files:
            if name.endswith(".py"):
                path = Path(directory, name)
                lines = len(path.read_text(encoding="utf-8").splitlines())
                if lines > limit:
                    found.append(f"{path.relative_to(root)}: {lines} lines")
    return sorted(found)


def test_no_application_module_is_over_600_lines():
    assert oversized_modules() == [], "split these along their seams"


def test_the_line_check_reports_a_module_over_the_limit_and_skips_tests_and_migrations(tmp_path):
    for rel, lines in [
        ("app/big.py", 601),
        ("app/fits.py", 600),
        ("app/migrations/0001_big.py", 900),
        ("tests/test_big.py", 900),
        (".venv/lib/big.py", 900),
    ]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n" * lines, encoding="utf-8")
    assert oversized_modules(tmp_path) == ["app/big.py: 601 lines"]


def test_the_audit_table_resolves_and_names_every_privacy_concern():
    from audit.registry import AUDITED_MODELS, resolve

    labels = [model._meta.label for model, _options in resolve(AUDITED_MODELS)]
    assert {"privacy.Purpose", "privacy.SelfServiceLink", "privacy.RetentionRule", "privacy.SubjectRequest"} <= set(
        labels
    )


def test_audit_registration_of_a_model_that_does_not_exist_stops_start_up(monkeypatch):
    from audit.registry import AUDITED_MODELS

    monkeypatch.setattr(AUDITED_MODELS, "entries", [*AUDITED_MODELS.entries, ("privacy.NoSuchModel", {})])
    with pytest.raises(ImproperlyConfigured, match=r"privacy\.NoSuchModel"):
        apps.get_app_config("audit").ready()


def test_audit_registration_of_a_model_twice_stops_start_up(monkeypatch):
    from audit.registry import AUDITED_MODELS

    monkeypatch.setattr(AUDITED_MODELS, "entries", [*AUDITED_MODELS.entries, ("privacy.Purpose", {})])
    with pytest.raises(ImproperlyConfigured, match="twice"):
        apps.get_app_config("audit").ready()


def test_every_registered_retention_category_names_an_installed_model():
    from privacy.retention.base import CATEGORIES, check_registered

    check_registered()
    assert all(apps.get_model(category.model_label) for category in CATEGORIES.values())


def test_a_retention_category_naming_a_model_that_does_not_exist_stops_start_up(monkeypatch):
    from privacy.retention.base import CATEGORIES, Category

    class ExportFiles(Category):
        code = "export_files"
        model_label = "privacy.NoSuchModel"

    monkeypatch.setitem(CATEGORIES, ExportFiles.code, ExportFiles())
    with pytest.raises(ImproperlyConfigured, match=r"privacy\.NoSuchModel"):
        apps.get_app_config("privacy").ready()

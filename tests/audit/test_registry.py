"""The change trail: explicit registration, and no personal value in any LogEntry."""

import datetime
import json
import uuid
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.db import models

from audit.registry import AUDITED_MODELS

pytestmark = pytest.mark.django_db


def _encrypted_fields(model):
    return [f for f in model._meta.concrete_fields if type(f).__name__.startswith("Encrypted")]


def _models_with_encrypted_fields():
    return [m for m in apps.get_models() if _encrypted_fields(m) and not m._meta.app_label.startswith("crypto_testapp")]


def test_every_model_with_encrypted_fields_is_registered_explicitly():
    labels = {label for label, _options in AUDITED_MODELS}
    missing = [m._meta.label for m in _models_with_encrypted_fields() if m._meta.label not in labels]
    assert missing == [], f"add these to audit/registry.py AUDITED_MODELS: {missing}"
    unregistered = [m._meta.label for m in _models_with_encrypted_fields() if not auditlog.contains(m)]
    assert unregistered == []


def test_registry_is_explicit_not_include_all(settings):
    assert settings.AUDITLOG_INCLUDE_ALL_MODELS is False
    assert not auditlog.contains(apps.get_model("sessions.Session"))


# --- generic builder: one instance of any model, with recognisable personal values --------------

_counter = iter(range(10_000, 99_999))


def _secret_value(field):
    """A value that is unmistakable if it ever shows up in the trail."""
    n = next(_counter)
    name = field.name
    if "mobile" in name or "phone" in name:
        return f"139{n:08d}"
    if "email" in name:
        return f"zz.secret{n}@example.cn"
    if "id_number" in name:
        return f"11010519{n:06d}2345"
    return f"绝密个人值{name}{n}"


def _plain_value(field, model):
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, (models.DecimalField,)):
        return Decimal("1")
    if isinstance(field, (models.IntegerField, models.FloatField)):
        return 1
    if isinstance(field, models.DateTimeField):
        return datetime.datetime(2026, 1, 5, 10, 0, tzinfo=datetime.UTC)
    if isinstance(field, models.DateField):
        return datetime.date(2026, 1, 5)
    if isinstance(field, models.UUIDField):
        return uuid.uuid4()
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, (models.EmailField,)):
        return f"plain{next(_counter)}@example.org"
    if isinstance(field, (models.CharField, models.TextField)):
        value = f"v{next(_counter)}"
        return value[: field.max_length] if field.max_length else value
    raise NotImplementedError(f"{model._meta.label}.{field.name}: {type(field).__name__}")


def _subject_key(values):
    """The key of a parent row that already has one (a complaint's), else a fresh key."""
    for value in values.values():
        if isinstance(value, models.Model) and getattr(value, "subject_key_id", None):
            return value.subject_key
    from privacy.models import SubjectKey

    key = SubjectKey.generate()
    if key.pk is None or key._state.adding:
        key.save()
    return key


# Nullable fields a model's check constraint still needs one of (a completion: staff or partner).
_FILL_NULLABLE = {"privacy.Completion": {"partner"}}


def _fill(model):
    return _FILL_NULLABLE.get(model._meta.label, ())


def build(model, depth=0, secrets=None):
    """Create an instance of `model` filling required fields; encrypted ones get secret values."""
    if depth > 4:
        raise RecursionError(model)
    secrets = secrets if secrets is not None else []
    values = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.auto_created or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            continue
        if type(f).__name__.startswith("Encrypted"):
            values[f.name] = _secret_value(f)
            secrets.append(values[f.name])
            continue
        if type(f).__name__.startswith("BlindIndex") or f.has_default() or (f.null and f.name not in _fill(model)):
            continue
        if f.is_relation and f.related_model._meta.label == "privacy.SubjectKey":
            values[f.name] = _subject_key(values)
            continue
        if not f.editable:
            continue
        if f.is_relation:
            existing = f.related_model._default_manager.first()
            values[f.name] = existing or build(f.related_model, depth + 1, secrets)
            continue
        if f.blank and isinstance(f, (models.CharField, models.TextField, models.FileField)):
            continue
        values[f.name] = _plain_value(f, model)
    return model._default_manager.create(**values)


def _trail_text():
    parts = []
    for e in LogEntry.objects.all():
        parts.append(e.object_repr or "")
        parts.append(e.changes_text or "")
        parts.append(json.dumps(e.changes, ensure_ascii=False))
        parts.append(json.dumps(e.serialized_data, ensure_ascii=False))
        parts.append(json.dumps(e.additional_data, ensure_ascii=False))
    return "\n".join(parts)


@pytest.mark.parametrize(
    "label",
    [m._meta.label for m in apps.get_models() if _encrypted_fields(m) and auditlog.contains(m)],
)
def test_no_plaintext_personal_value_in_any_log_entry(label, org):
    model = apps.get_model(label)
    secrets = []
    obj = build(model, secrets=secrets)
    for f in _encrypted_fields(model):
        value = _secret_value(f)
        secrets.append(value)
        setattr(obj, f.name, value)
    obj.save()
    obj.delete()
    assert LogEntry.objects.filter(content_type__model=model._meta.model_name).count() >= 3
    text = _trail_text()
    for secret in secrets:
        assert secret not in text, f"{label}: personal value found in the audit trail"
        assert secret[-8:] not in text, f"{label}: part of a personal value found in the audit trail"


def test_no_plaintext_walk_covers_something():
    """The walk above must not be vacuous once personal-data models exist."""
    if _models_with_encrypted_fields():
        assert any(auditlog.contains(m) for m in _models_with_encrypted_fields())


def test_user_password_and_names_never_in_trail(org):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("zz_newstaff", password="x-very-long-pass-1", first_name="独特名字")
    user.last_name = "另一个姓"
    user.save()
    text = _trail_text()
    assert "独特名字" not in text and "另一个姓" not in text
    assert "pbkdf2" not in text

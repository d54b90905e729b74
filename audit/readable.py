"""The change log as a person reads it: field names, choice labels, related objects, local times.

django-auditlog stores each change as raw strings (`{"from_status": ["None", "assigned"]}`, foreign
keys as ids, datetimes in UTC without a zone). `describe_entries(entries, user)` turns one page of
entries into rows the trail page and its CSV export both show:

- a field is named by its verbose name, a choice by its label, a boolean by 是/否;
- a related object by its label, loaded in one query per model for the whole page; people are
  named with zhaoshang.core.names, contacts (data subjects) only as "联系人 #id";
- a datetime in local time; reverse relations (`complaints.Complaint.None`) are left out;
- a personal field stays masked, and so does any secret or token part (a self-service nonce),
  whatever was stored: entries written before a column was masked are masked on display too;
- the object is named by its model's verbose name, linked when the reader may open it.
"""

import datetime
import re

from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from privacy.crypto.masking import AUDIT_MASK
from zhaoshang.core.names import person_name

# Column names whose values are secrets or parts of a token: never shown, in any entry.
SECRET_FIELD_PARTS = ("nonce", "token", "secret", "password", "wrapped", "key_material", "otp", "hash")
_REVERSE_REPR = re.compile(r"^[\w]+\.[\w]+\.None$")

# Where an object (or the parent it belongs to) can be opened, and who may open it.
# model label -> (parent id attribute or None, URL name, permission)
OBJECT_LINKS = {
    "clients.enterprise": (None, "clients:enterprise_detail", "clients.view_enterprise"),
    "clients.contact": (None, "clients:contact_detail", "clients.view_contact"),
    "clients.project": (None, "clients:project_detail", "clients.view_project"),
    "clients.followup": ("project_id", "clients:project_detail", "clients.view_project"),
    "clients.stagechange": ("project_id", "clients:project_detail", "clients.view_project"),
    "clients.milestone": ("project_id", "clients:project_detail", "clients.view_project"),
    "complaints.complaint": (None, "complaints:detail", "complaints.view_complaint"),
    "complaints.complaintevent": ("complaint_id", "complaints:detail", "complaints.view_complaint"),
    "privacy.consentevent": ("contact_id", "clients:contact_detail", "clients.view_contact"),
    "privacy.selfservicelink": ("contact_id", "clients:contact_detail", "clients.view_contact"),
    "audit.auditengagement": (None, "audit:engagement_detail", "audit.view_auditengagement"),
    "audit.finding": (None, "audit:finding_detail", "audit.view_finding"),
    "audit.rectification": (None, "audit:rectification_detail", "audit.view_rectification"),
}

# Models whose stored object_repr is a plain, non-personal name worth showing next to the type.
NAMED_MODELS = {
    "clients.enterprise",
    "clients.project",
    "clients.department",
    "complaints.complaint",
    "complaints.complaintkind",
    "complaints.complaintcategory",
    "privacy.purpose",
    "privacy.retentionrule",
    "privacy.privacypolicy",
    "audit.auditengagement",
    "core.holidaycalendar",
}


def action_label(action):
    """auditlog's action labels are English only: ours, through the catalogue."""
    return {0: _("新建"), 1: _("修改"), 2: _("删除")}.get(action, _("访问"))


def _nested_choices():
    """Fields stored without `choices=` whose values are codes of a TextChoices class."""
    from complaints.models import ComplaintEvent, Status

    return {
        ("complaints.complaintevent", "action"): ComplaintEvent.Action,
        ("complaints.complaintevent", "from_status"): Status,
        ("complaints.complaintevent", "to_status"): Status,
    }


def is_secret_field(name):
    return any(part in name.lower() for part in SECRET_FIELD_PARTS)


def _label(content_type):
    return f"{content_type.app_label}.{content_type.model}" if content_type else ""


def _field(model, name):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a field that no longer exists: shown by its stored name
        return None


def _related_label(obj):
    """How a related object is named in a diff: people by name, data subjects masked."""
    model = type(obj)
    if model is get_user_model():
        return person_name(obj)
    label = _label_of_model(model)
    if label == "clients.contact" or _has_encrypted_fields(model):
        return f"{model._meta.verbose_name} #{obj.pk}"
    return str(obj)


def _label_of_model(model):
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _has_encrypted_fields(model):
    return any(type(f).__name__.startswith("Encrypted") for f in model._meta.concrete_fields)


def _local_datetime(text):
    value = parse_datetime(text)
    if value is None:
        return text
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)  # auditlog writes UTC without a zone
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


class _Related:
    """Related objects of one page, loaded once per model."""

    def __init__(self):
        self.wanted = {}
        self.loaded = {}

    def want(self, model, pk):
        self.wanted.setdefault(model, set()).add(pk)

    def load(self):
        for model, pks in self.wanted.items():
            ids = [pk for pk in pks if str(pk).isdigit()]
            qs = model._default_manager.filter(pk__in=ids)
            if model is get_user_model():
                qs = qs.only("pk", "username", "first_name", "last_name")
            self.loaded[model] = {str(obj.pk): _related_label(obj) for obj in qs}

    def label(self, model, pk):
        return self.loaded.get(model, {}).get(str(pk)) or f"{model._meta.verbose_name} #{pk}"


def _raw_pairs(entry):
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    for name, values in changes.items():
        if isinstance(values, list) and len(values) == 2:
            yield name, values[0], values[1]
        elif isinstance(values, dict):  # m2m: {"type": "m2m", "operation": ..., "objects": [...]}
            objects = values.get("objects") or []
            operation = values.get("operation", "")
            yield name, None, f"{operation}: {', '.join(str(o) for o in objects)}"
        else:
            yield name, None, values


def _display(field, value, related):
    """One stored value as a reader sees it."""
    if value is None or value == "None" or value == "":
        return "—"
    text = str(value)
    if text == AUDIT_MASK:
        return _("[已加密]")
    if field is None:
        return text
    if field.is_relation and field.many_to_one:
        return related.label(field.related_model, text)
    choices = field.flatchoices if field.choices else None
    if choices is None and field.model is not None:
        nested = _nested_choices().get((field.model._meta.label_lower, field.name))
        choices = nested.choices if nested else None
    if choices:
        labels = {str(k): v for k, v in choices}
        return str(labels.get(text, text))
    kind = field.get_internal_type()
    if kind == "BooleanField":
        return _("是") if text == "True" else _("否") if text == "False" else text
    if kind == "DateTimeField":
        return _local_datetime(text)
    if kind == "DateField":
        parsed = parse_date(text[:10])
        return parsed.isoformat() if parsed else text
    return text


def describe_entries(entries, user=None):
    """Attach `.readable` (list of change dicts), `.object_label`, `.object_url`, `.actor_name`."""
    related = _Related()
    parents = {}  # model -> {pk: parent id}
    plan = []
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type else None
        label = _label(entry.content_type)
        items = []
        for name, old, new in _raw_pairs(entry):
            field = _field(model, name)
            if field is not None and (field.auto_created and not field.concrete):
                continue  # a reverse relation ("complaints.Complaint.None"): nothing changed here
            if field is None and any(_REVERSE_REPR.match(str(v)) for v in (old, new) if v):
                continue
            if field is not None and field.is_relation and field.many_to_one:
                for value in (old, new):
                    if value not in (None, "None", ""):
                        related.want(field.related_model, value)
            items.append((name, field, old, new))
        link = OBJECT_LINKS.get(label)
        if link and link[0] and model is not None:
            parents.setdefault(model, set()).add(entry.object_pk)
        plan.append((entry, model, label, items, link))
    related.load()
    parent_ids = {}
    for model, pks in parents.items():
        attr = OBJECT_LINKS[_label_of_model(model)][0]
        ids = [pk for pk in pks if str(pk).isdigit()]
        parent_ids[model] = {
            str(pk): parent for pk, parent in model._default_manager.filter(pk__in=ids).values_list("pk", attr)
        }
    for entry, model, label, items, link in plan:
        readable = []
        for name, field, old, new in items:
            secret = is_secret_field(name)
            old_text = _("[已隐藏]") if secret and old not in (None, "None", "") else _display(field, old, related)
            new_text = _("[已隐藏]") if secret and new not in (None, "None", "") else _display(field, new, related)
            single = old_text if entry.action == 2 else new_text
            if entry.action in (0, 2) and single == "—":
                continue  # a create or delete lists the values it had, not every empty column
            readable.append(
                {
                    "single": single,
                    "name": name,
                    "label": str(field.verbose_name) if field is not None and hasattr(field, "verbose_name") else name,
                    "old": old_text,
                    "new": new_text,
                    "is_create_or_delete": entry.action in (0, 2) or old is None,
                }
            )
        entry.readable = readable
        entry.actor_name = person_name(entry.actor) if entry.actor_id else ""
        verbose = str(model._meta.verbose_name) if model is not None else label
        entry.object_type_label = verbose
        if label in NAMED_MODELS and entry.object_repr:
            entry.object_label = f"{verbose} · {entry.object_repr}"
        else:
            entry.object_label = f"{verbose} #{entry.object_pk}"
        entry.object_url = _object_url(entry, model, link, parent_ids, user)
    return entries


def _object_url(entry, model, link, parent_ids, user):
    if not link or model is None or entry.action == 2:  # deleted objects have no page
        return ""
    attr, url_name, permission = link
    if user is not None and not user.has_perm(permission):
        return ""
    target = parent_ids.get(model, {}).get(str(entry.object_pk)) if attr else entry.object_pk
    if target in (None, ""):
        return ""
    try:
        return reverse(url_name, args=[target])
    except NoReverseMatch:
        return ""


def readable_summary(entry):
    """The readable changes of one described entry as one line (CSV export)."""
    return "; ".join(
        f"{c['label']}: {c['single']}" if c["is_create_or_delete"] else f"{c['label']}: {c['old']} → {c['new']}"
        for c in entry.readable
    )


def raw_summary(entry):
    """The stored changes, secrets hidden (CSV export, next to the readable column)."""
    parts = []
    for name, old, new in _raw_pairs(entry):
        if is_secret_field(name):
            old = "[hidden]" if old not in (None, "None", "") else old
            new = "[hidden]" if new not in (None, "None", "") else new
        parts.append(f"{name}: {old} → {new}" if old is not None else f"{name}: {new}")
    return "; ".join(parts)

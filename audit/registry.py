"""Which models django-auditlog records: ONE explicit table, registered in AuditConfig.ready().

Every model that holds personal or governance data is listed by label (never "include all"): here,
or -- for an app arranged by concern -- by the app itself, whose AppConfig has an
`audited_models()` method returning more (label, options) pairs (privacy: each concern's
`audit.py`). A label naming a model that is not installed, or listed twice, is an error at
start-up (ImproperlyConfigured): a model joins the table when it lands, never before. Models with
encrypted fields get `privacy.crypto.auditlog_kwargs(Model)`:
encrypted fields masked with a constant (settings.AUDITLOG_MASK_CALLABLE), blind-index columns
excluded. Options written here are merged on top.

Adding a model with personal data? Add its label below (or to its concern's list);
`tests/audit/test_registry.py` fails when a model with an encrypted field is missing from the table.
"""

import logging

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

# Fields never worth recording (secrets, housekeeping).
_USER = {"exclude_fields": ["password", "last_login"], "mask_fields": ["first_name", "last_name", "email"]}

_TABLE = [
    # accounts and organisation (governance)
    ("auth.User", {**_USER, "m2m_fields": {"groups", "user_permissions"}}),
    ("auth.Group", {"m2m_fields": {"permissions"}}),
    ("clients.Department", {}),
    ("clients.StaffProfile", {}),
    ("clients.Role", {}),
    ("core.HolidayCalendar", {}),
    # case records (personal data)
    ("clients.Enterprise", {}),
    ("clients.Contact", {}),
    ("clients.Project", {}),
    ("clients.FollowUp", {}),
    ("clients.Assignment", {}),
    ("clients.Milestone", {}),
    ("clients.StageChange", {}),
    ("clients.LossReason", {}),  # [L] the configurable 终止 reason codes
    # privacy governance and personal data: listed by each privacy concern (PrivacyConfig.audited_models)
    # complaints (personal data)
    ("complaints.Complaint", {}),
    ("complaints.ComplaintEvent", {}),
    ("complaints.ComplaintCategory", {}),
    # internal audit (governance)
    ("audit.AuditEngagement", {"m2m_fields": {"team"}}),
    ("audit.Finding", {}),
    ("audit.FindingLink", {}),
    ("audit.Rectification", {}),
]


class AuditTable:
    """The whole table: `_TABLE` above, then each app's `audited_models()`. Read when iterated,
    that is once the app registry is ready, so the order of INSTALLED_APPS does not matter."""

    def __init__(self, entries):
        self.entries = entries

    def __iter__(self):
        yield from self.entries
        for app_config in apps.get_app_configs():
            more = getattr(app_config, "audited_models", None)
            if callable(more):
                yield from more()


AUDITED_MODELS = AuditTable(_TABLE)


def resolve(table):
    """[(model, options)] of `table`; ImproperlyConfigured for a label that names no installed
    model or is listed twice (registering a model that does not exist is a start-up error)."""
    resolved, seen = [], set()
    for label, options in table:
        if label in seen:
            raise ImproperlyConfigured(f"audit registration lists {label!r} twice")
        seen.add(label)
        try:
            resolved.append((apps.get_model(label), options))
        except (LookupError, ValueError) as exc:
            raise ImproperlyConfigured(
                f"audit registration names {label!r}, which is not an installed model: "
                "register a model when it lands, not before"
            ) from exc
    return resolved


# Parts of a token (a self-service link's nonce): the change is recorded, the value masked.
_TOKEN_NAME_PARTS = ("nonce", "token")

# Secret columns that must never reach a diff, whatever the model (wrapped keys, tokens, hashes).
_SECRET_NAME_PARTS = ("wrapped", "secret", "token_hash", "key_material", "password")


def _is_secret(f, kind):
    if kind.startswith("BlindIndex") or kind == "BinaryField":
        return True
    if f.is_relation:
        return False
    return f.name.endswith("key") or any(part in f.name for part in _SECRET_NAME_PARTS)


def _encryption_kwargs(model):
    """Mask/exclude kwargs for a model's encrypted and blind-index fields.

    Uses `privacy.crypto.auditlog_kwargs` when it exists; until then (or if it misses a field)
    recognises the field classes by name so that nothing encrypted is ever recorded in clear.
    """
    kwargs = {"mask_fields": [], "exclude_fields": []}
    try:
        from privacy.crypto import auditlog_kwargs
    except ImportError:
        auditlog_kwargs = None
    if auditlog_kwargs is not None:
        given = auditlog_kwargs(model) or {}
        for key, value in given.items():
            if key in kwargs:
                kwargs[key].extend(value)
            else:
                kwargs[key] = value
    for f in model._meta.concrete_fields:
        kind = type(f).__name__
        if kind.startswith("Encrypted") and f.name not in kwargs["mask_fields"]:
            kwargs["mask_fields"].append(f.name)
        elif _is_secret(f, kind) and f.name not in kwargs["exclude_fields"]:
            kwargs["exclude_fields"].append(f.name)
        elif any(part in f.name for part in _TOKEN_NAME_PARTS) and f.name not in kwargs["mask_fields"]:
            kwargs["mask_fields"].append(f.name)
    return kwargs


def registration_kwargs(model, options):
    kwargs = _encryption_kwargs(model)
    for key, value in options.items():
        if key in ("mask_fields", "exclude_fields"):
            kwargs[key] = sorted(set(kwargs.get(key, [])) | set(value))
        else:
            kwargs[key] = value
    if kwargs.get("mask_fields") and "mask_callable" not in kwargs:
        from django.conf import settings

        kwargs["mask_callable"] = settings.AUDITLOG_MASK_CALLABLE
    if not kwargs.get("serialize_data"):
        # auditlog refuses serializer options without serialize_data; we do not store snapshots.
        kwargs.pop("serialize_auditlog_fields_only", None)
        kwargs.pop("serialize_kwargs", None)
    return {k: v for k, v in kwargs.items() if v not in ([], None)}


def register_all():
    """Register every model of the table with auditlog (ImproperlyConfigured for a missing one).
    Returns the models registered."""
    from auditlog.registry import auditlog

    from . import snapshots

    models = resolve(AUDITED_MODELS)
    for model, _options in models:
        if auditlog.contains(model):
            auditlog.unregister(model)  # with the receivers it was registered with
    # Updates diff against the row as loaded or last saved (audit.snapshots), not a re-read.
    snapshots.use_snapshots(auditlog)
    for model, options in models:
        auditlog.register(model, **registration_kwargs(model, options))
        snapshots.track(model)
    return [model for model, _options in models]


def audited_models():
    from auditlog.registry import auditlog

    return auditlog.get_models()

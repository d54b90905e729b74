"""django-auditlog registration options for models with encrypted fields."""

from .personal import blind_index_fields, encrypted_fields, key_fields

MASK_CALLABLE = "privacy.crypto.masking.audit_constant_mask"


def auditlog_kwargs(model):
    """Keyword arguments for ``auditlog.register(model, **auditlog_kwargs(model))``.

    Encrypted fields are masked with a constant (never auditlog's half-mask) in ``changes`` and
    in serialized data; blind indexes and the subject-key link are excluded, and serialized data
    is limited to the audited fields (``exclude_fields`` alone does not remove a column from it).
    """
    return {
        "mask_fields": [f.name for f in encrypted_fields(model)],
        "mask_callable": MASK_CALLABLE,
        "exclude_fields": [f.name for f in blind_index_fields(model)] + list(key_fields(model)),
        "serialize_auditlog_fields_only": True,
    }

"""Masking of personal values for display and for the audit trail.

Display masks keep just enough to recognise a record (138****5678); the audit mask keeps nothing.
"""

AUDIT_MASK = "[已加密]"


def audit_constant_mask(value):
    """django-auditlog mask callable: a constant, whatever the value (never half the plaintext)."""
    return AUDIT_MASK


def mask_mobile(value):
    """13812345678 and +86 138-1234-5678 → 138****5678 (normalised as the blind index does)."""
    from .blind import normalize_mobile  # late: blind imports the fields, which import this module

    digits = normalize_mobile(str(value or ""))
    if not digits:
        return ""
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * len(digits)


def mask_name(value):
    """张三 → 张*, 欧阳娜娜 → 欧***, Smith → S****: the first character only."""
    value = str(value or "").strip()
    if not value:
        return ""
    return value[0] + "*" * max(len(value) - 1, 1)


def mask_email(value):
    value = str(value or "").strip()
    if "@" not in value:
        return "***" if value else ""
    local, _at, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_id_number(value):
    value = str(value or "").strip()
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


def mask_text(value):
    """Free text (WeChat id, notes): first character only."""
    value = str(value or "")
    if not value:
        return ""
    return value[:1] + "***"

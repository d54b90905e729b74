"""统一社会信用代码 (unified social credit code) validation, GB 32100-2015.

18 characters from a 31-character alphabet (no I, O, S, V, Z); the last one is a check character
computed from the first 17 with fixed weights modulo 31.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalise_credit_code(value):
    return "".join(str(value or "").split()).upper()


def credit_code_check_char(first17):
    total = sum(CREDIT_CODE_ALPHABET.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def is_valid_credit_code(value):
    code = normalise_credit_code(value)
    if len(code) != 18 or any(ch not in CREDIT_CODE_ALPHABET for ch in code):
        return False
    return credit_code_check_char(code[:17]) == code[17]


def validate_credit_code(value):
    code = normalise_credit_code(value)
    if len(code) != 18:
        raise ValidationError(_("统一社会信用代码应为18位。"), code="credit_code_length")
    bad = sorted({ch for ch in code if ch not in CREDIT_CODE_ALPHABET})
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、S、V、Z）。"),
            code="credit_code_chars",
            params={"chars": "".join(bad)},
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对。"), code="credit_code_check")


def make_credit_code(first17):
    """A valid code from 17 characters (used by demo data and tests)."""
    first17 = normalise_credit_code(first17)
    return first17 + credit_code_check_char(first17)

"""Display masks: enough to recognise a record, never the whole value."""

import pytest
from django.template import Context, Template

from privacy.crypto import masking


@pytest.mark.parametrize(
    "func,value,expected",
    [
        (masking.mask_mobile, "13812345678", "138****5678"),
        (masking.mask_mobile, "+86 138-1234-5678", "138****5678"),
        (masking.mask_mobile, "", ""),
        (masking.mask_name, "张三", "张*"),
        (masking.mask_name, "欧阳娜娜", "欧***"),
        (masking.mask_name, "张", "张*"),
        (masking.mask_email, "zhang.san@example.com", "z***@example.com"),
        (masking.mask_email, "not-an-email", "***"),
        (masking.mask_id_number, "110101199003071234", "1101**********1234"),
        (masking.mask_text, "wxid_abc123", "w***"),
    ],
)
def test_masks(func, value, expected):
    assert func(value) == expected


def test_audit_mask_is_a_constant_whatever_the_value():
    assert masking.audit_constant_mask("110101199003071234") == masking.audit_constant_mask("x") == "[已加密]"


def test_filters_are_builtins_in_templates():
    rendered = Template("{{ m|mask_mobile }} {{ n|mask_name }}").render(Context({"m": "13812345678", "n": "李四"}))
    assert rendered == "138****5678 李*"

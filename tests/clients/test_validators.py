import pytest
from django.core.exceptions import ValidationError

from clients.validators import is_valid_credit_code, make_credit_code, validate_credit_code


def test_known_valid_credit_code_passes():
    assert is_valid_credit_code("91350100M000100Y43")
    validate_credit_code("91350100m000100y43")  # case and spaces are normalised


def test_wrong_check_character_is_refused_in_chinese():
    with pytest.raises(ValidationError) as exc:
        validate_credit_code("91350100M000100Y44")
    assert "校验位" in exc.value.messages[0]


@pytest.mark.parametrize("code", ["", "123", "91350100M000100Y4", "91350100I000100Y43"])
def test_malformed_credit_codes_are_refused(code):
    with pytest.raises(ValidationError):
        validate_credit_code(code)


def test_made_codes_validate():
    assert is_valid_credit_code(make_credit_code("91110108551385082"))

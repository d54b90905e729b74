"""Blind indexes: normalisation, exact search, per-field keys, suite and key dependence."""

import pytest

from privacy.crypto.blind import normalize_email, normalize_mobile
from tests.crypto_testapp.models import Person

from .crypto_helpers import b64key, make_person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("86 13812345678", "13812345678"),
        ("0086-138-1234-5678", "13812345678"),
        ("(+86) 138.1234.5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("0571-8888 6666", "057188886666"),
        ("86123456", "86123456"),  # a landline that starts with 86 keeps its digits
        ("+1 415 555 0100", "14155550100"),
        ("无", ""),
    ],
)
def test_mobile_normalisation(typed, normalised):
    assert normalize_mobile(typed) == normalised


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("Zhang.San@Example.COM", "zhang.san@example.com"),
        ("  zhang@example.cn\t", "zhang@example.cn"),
        ("ＺＨＡＮＧ＠ＥＸＡＭＰＬＥ．ＣＮ", "zhang@example.cn"),
        ("Strauß@Example.de", "strauss@example.de"),
    ],
)
def test_email_normalisation(typed, normalised):
    assert normalize_email(typed) == normalised


def test_search_by_mobile_and_email_finds_the_row_whatever_the_typing():
    nana = make_person()
    make_person(mobile="13900000000", email="other@example.cn")
    for typed in ("13987654321", "+86 139 8765 4321", "0086-139-8765-4321", "１３９８７６５４３２１"):
        assert list(Person.objects.search_mobile(typed)) == [nana]
    assert list(Person.objects.search_email("  NANA.OUYANG@example.cn ")) == [nana]
    assert not Person.objects.search_mobile("13987654320").exists()
    assert not Person.objects.search_mobile("").exists()
    assert not Person.objects.search_email(None).exists()
    assert Person.objects.filter(city="").search_mobile("13987654321").count() == 1  # chains


def test_each_index_has_its_own_key():
    make_person(mobile="13987654321", email="13987654321")  # the same normalised text in both
    mobile_bidx, email_bidx = Person.objects.values_list("mobile_bidx", "email_bidx").get()
    assert len(mobile_bidx) == len(email_bidx) == 64
    assert mobile_bidx != email_bidx


def test_index_depends_on_suite_and_key(settings):
    field = Person._meta.get_field("email_bidx")
    aes = field.digest("a@example.cn")
    settings.CIPHER_SUITE = "sm4"
    sm4 = field.digest("a@example.cn")
    settings.BLIND_INDEX_KEY = b64key()
    assert len({aes, sm4, field.digest("a@example.cn")}) == 3


def test_clearing_the_value_clears_the_index():
    person = make_person()
    person.mobile = None
    person.email = ""
    person.save()
    assert Person.objects.values_list("mobile_bidx", "email_bidx").get() == (None, None)
    assert not Person.objects.search_mobile("13987654321").exists()

"""Switching CIPHER_SUITE hides no contact from exact search: rows indexed under the old suite are
found by their old hash until `rotate_keys --blind-index` re-indexes them, new rows by the new one."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from clients import services
from clients.models import Contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def enterprise(officer1):
    from clients.validators import make_credit_code

    return services.enterprise_create(
        user=officer1, name="切换算法测试有限公司", credit_code=make_credit_code("91330100ME0000001"), industry="C"
    )


def _add(officer1, enterprise, mobile, email):
    return services.contact_create(user=officer1, enterprise=enterprise, name="钱七", mobile=mobile, email=email)


def test_old_and_new_rows_are_found_across_the_switch_and_after_reindex(officer1, enterprise, settings):
    settings.CIPHER_SUITE = "aes"
    old = _add(officer1, enterprise, "13600001111", "old@example.cn")
    old_index = Contact.objects.values_list("mobile_index", flat=True).get(pk=old.pk)

    settings.CIPHER_SUITE = "sm4"
    new = _add(officer1, enterprise, "13600002222", "new@example.cn")
    assert list(Contact.objects.search_mobile("136 0000 1111")) == [old]  # still under its aes hash
    assert list(Contact.objects.search_email("OLD@example.cn")) == [old]
    assert list(Contact.objects.search_mobile("13600002222")) == [new]

    call_command("rotate_keys", "--blind-index", verbosity=0)
    assert Contact.objects.values_list("mobile_index", flat=True).get(pk=old.pk) != old_index
    assert list(Contact.objects.search_mobile("13600001111")) == [old]
    assert list(Contact.objects.search_mobile("13600002222")) == [new]


def test_staff_search_page_finds_a_contact_indexed_before_the_switch(officer1, enterprise, settings, client_for):
    settings.CIPHER_SUITE = "aes"
    _add(officer1, enterprise, "13600003333", "c@example.cn")
    settings.CIPHER_SUITE = "sm4"
    body = client_for(officer1).get(reverse("clients:search"), {"q": "13600003333"}).content.decode()
    assert "切换算法测试有限公司" in body

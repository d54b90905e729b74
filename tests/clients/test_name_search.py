"""Company-name search: the trigram-indexable form finds exactly what icontains finds, inside the scope."""

from django.db import connection
from django.urls import reverse

from clients.models import Enterprise


def test_name_contains_matches_icontains_case_insensitively_and_literally(officer1, make_enterprise):
    for name in ("Hangzhou ABC 科技有限公司", "hangzhou abc 物流", "百分之100%公司", "下划线_公司", "其他公司"):
        make_enterprise(officer1, name=name)
    scoped = Enterprise.objects.visible_to(officer1)
    for text in ("abc", "ABC", "HangZhou", "100%", "%", "_", "线_公", "科技", "不存在"):
        expected = set(scoped.filter(name__icontains=text).values_list("name", flat=True))
        assert set(scoped.name_contains(text).values_list("name", flat=True)) == expected, text
    assert set(scoped.name_contains("%").values_list("name", flat=True)) == {"百分之100%公司"}


def test_name_search_stays_in_scope(officer1, officer2, make_enterprise, client_for):
    make_enterprise(officer1, name="宁波甬江港口物流有限公司")
    make_enterprise(officer2, name="宁波甬江港口机械有限公司")
    body = client_for(officer1).get(reverse("clients:search"), {"q": "甬江港口"}).content.decode()
    assert "宁波甬江港口物流有限公司" in body and "宁波甬江港口机械有限公司" not in body
    listing = client_for(officer1).get(reverse("clients:enterprise_list"), {"q": "甬江港口"}).content.decode()
    assert "物流" in listing and "机械" not in listing


def test_name_filter_is_written_so_the_trigram_index_can_serve_it(officer1):
    sql = str(Enterprise.objects.visible_to(officer1).name_contains("港口").query)
    if connection.vendor == "postgresql":
        assert "ILIKE" in sql and "UPPER(" not in sql

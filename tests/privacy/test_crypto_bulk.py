"""Bulk writes: bulk_create, bulk_update (twice: the Case/When regression) and QuerySet.update."""

import pytest
from django.db import connection, transaction
from django.db.models import F

from privacy.crypto import EncryptionError
from privacy.models import SubjectKey
from tests.crypto_testapp.models import Note, Person

from .crypto_helpers import make_note, make_person, raw_rows

pytestmark = pytest.mark.django_db


def _assert_all_tokens(model, *columns):
    for row in raw_rows(model, *columns):
        for value in row:
            assert value is None or value.startswith("zs1$"), value  # never a Case/When repr, never clear


def test_bulk_create_gives_each_row_its_own_key_in_one_insert(django_assert_num_queries):
    people = [Person(name=f"批量{i}", mobile=f"1360000{i:04d}") for i in range(20)]
    with django_assert_num_queries(2):  # the keys, then the rows
        Person.objects.bulk_create(people)
    assert SubjectKey.objects.count() == 20
    assert len({p.subject_key_id for p in people}) == 20
    _assert_all_tokens(Person, "name", "mobile")
    assert [p.name for p in Person.objects.order_by("pk")] == [f"批量{i}" for i in range(20)]
    assert Person.objects.search_mobile("13600000007").get().name == "批量7"


def test_bulk_update_twice_then_read_back():
    people = Person.objects.bulk_create([Person(name=f"甲{i}", mobile=f"1350000{i:04d}") for i in range(5)])
    for round_ in (1, 2):
        people = list(Person.objects.order_by("pk"))
        for i, person in enumerate(people):
            person.name = f"第{round_}轮{i}"
            person.mobile = f"1390000{round_}{i:03d}"
        assert Person.objects.bulk_update(people, ["name", "mobile"], batch_size=2) == 5
        _assert_all_tokens(Person, "name", "mobile", "email")
        fresh = list(Person.objects.order_by("pk"))
        assert [p.name for p in fresh] == [f"第{round_}轮{i}" for i in range(5)]
        assert [p.mobile for p in fresh] == [f"1390000{round_}{i:03d}" for i in range(5)]
        assert Person.objects.search_mobile(f"+86 1390000{round_}003").get().pk == people[3].pk


def test_bulk_update_of_unchanged_rows_keeps_their_ciphertext():
    make_person()
    make_person()
    before = raw_rows(Person, "name", "email")
    people = list(Person.objects.all())
    for person in people:
        person.name  # noqa: B018 - read, not changed
        person.city = "宁波"
    Person.objects.bulk_update(people, ["name", "email", "city"])
    assert raw_rows(Person, "name", "email") == before
    assert set(Person.objects.values_list("city", flat=True)) == {"宁波"}


def test_queryset_update_encrypts_each_row_under_its_own_key():
    first, second = make_person(), make_person()
    make_person(city="上海")
    count = Person.objects.exclude(city="上海").update(mobile="+86 137 0000 9999", city="杭州")
    assert count == 2
    _assert_all_tokens(Person, "mobile")
    tokens = [row[0] for row in raw_rows(Person, "mobile")]
    assert len(set(tokens)) == 3
    for pk in (first.pk, second.pk):
        fresh = Person.objects.get(pk=pk)
        assert (fresh.mobile, fresh.city) == ("+86 137 0000 9999", "杭州")
    assert set(Person.objects.search_mobile("13700009999").values_list("pk", flat=True)) == {first.pk, second.pk}


def test_queryset_update_of_plain_fields_is_one_query(django_assert_num_queries):
    make_person()
    with django_assert_num_queries(1):
        assert Person.objects.update(city="温州") == 1


def test_queryset_update_refuses_sql_over_ciphertext_and_computed_columns():
    make_person()
    for kwargs in ({"mobile": F("email")}, {"mobile_bidx": "0" * 64}, {"subject_key": None}):
        with pytest.raises(EncryptionError), transaction.atomic():
            Person.objects.update(**kwargs)
    with pytest.raises(TypeError):
        Person.objects.all()[:1].update(name="x")


def test_save_with_update_fields_keeps_the_blind_index_in_step():
    person = make_person()
    person.mobile = "13100001111"
    person.save(update_fields=["mobile"])
    assert Person.objects.search_mobile("13100001111").get() == person
    assert not Person.objects.search_mobile("13987654321").exists()


def test_a_row_without_a_key_gets_one_on_any_save():
    person = make_person()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE crypto_testapp_person SET subject_key_id = NULL, name = '', mobile = NULL,"
            " email = NULL, wechat = NULL, id_number = NULL"
        )
    legacy = Person.objects.get(pk=person.pk)
    assert legacy.subject_key is None
    legacy.name = "补录"
    legacy.save(update_fields=["name"])
    fresh = Person.objects.get(pk=person.pk)
    assert fresh.subject_key is not None and fresh.name == "补录"
    bulk = Person.objects.bulk_create([Person(name="x")])[0]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE crypto_testapp_person SET subject_key_id = NULL, name = '' WHERE id = %s", [bulk.pk])
    stale = Person.objects.get(pk=bulk.pk)
    stale.name = "批量补录"
    Person.objects.bulk_update([stale], ["name"])
    assert Person.objects.get(pk=bulk.pk).name == "批量补录"


def test_a_page_of_rows_decrypts_without_extra_queries(django_assert_num_queries):
    for i in range(10):
        make_note(make_person(name=f"人{i}"))
    with django_assert_num_queries(1):
        names = [p.name for p in Person.objects.order_by("pk")]
    assert names == [f"人{i}" for i in range(10)]
    with django_assert_num_queries(1):
        texts = [n.text for n in Note.objects.all()]
    assert len(texts) == 10

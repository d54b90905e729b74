"""Encrypted fields cannot be searched or sorted: lookups raise, system checks refuse the options."""

import pytest
from django.contrib import admin
from django.core.exceptions import FieldError
from django.db import models
from django.test import RequestFactory
from django.test.utils import isolate_apps

from privacy.crypto import BlindIndexField, EncryptedCharField, EncryptedTextField, PersonalDataModel
from tests.crypto_testapp.models import Person

from .crypto_helpers import make_person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [
        lambda qs: qs.filter(name="欧阳娜娜"),
        lambda qs: qs.filter(mobile=None),
        lambda qs: qs.exclude(email="x@example.cn"),
        lambda qs: qs.filter(name__icontains="欧阳"),
        lambda qs: qs.filter(name__startswith="欧"),
        lambda qs: qs.filter(mobile__in=["13987654321"]),
        lambda qs: qs.filter(name__lower__exact="x"),
        lambda qs: qs.filter(models.Q(city="杭州") | models.Q(wechat="x")),
        lambda qs: qs.get_or_create(mobile="13987654321"),
    ],
    ids=["exact", "exact-none", "exclude", "icontains", "startswith", "in", "transform", "q-object", "get_or_create"],
)
def test_lookups_on_encrypted_fields_raise_pointing_at_the_blind_index(query):
    make_person()
    with pytest.raises(FieldError) as error:
        list(query(Person.objects.all()))
    assert "search_mobile" in str(error.value) and "盲索引" in str(error.value)
    assert "crypto_testapp.person." in str(error.value)


def test_admin_search_over_an_encrypted_field_raises():
    make_person()
    model_admin = admin.ModelAdmin(Person, admin.site)
    model_admin.search_fields = ["name"]
    request = RequestFactory().get("/", {"q": "欧阳"})
    with pytest.raises(FieldError, match="search_mobile"):
        model_admin.get_search_results(request, Person.objects.all(), "欧阳")


def _check_errors(model):
    """Our checks' ids (the isolated registry cannot resolve privacy.SubjectKey: Django's own errors)."""
    errors = {error.id for field in model._meta.local_fields for error in field.check()}
    return {error for error in errors if error.startswith("privacy.")}


@isolate_apps("tests.crypto_testapp")
def test_system_checks_refuse_unique_index_and_ordering():
    class Unique(PersonalDataModel):
        name = EncryptedCharField(max_length=10, unique=True)

        class Meta:
            app_label = "crypto_testapp"

    class Indexed(PersonalDataModel):
        name = EncryptedCharField(max_length=10, db_index=True)

        class Meta:
            app_label = "crypto_testapp"

    class InMetaIndex(PersonalDataModel):
        name = EncryptedCharField(max_length=10)

        class Meta:
            app_label = "crypto_testapp"
            indexes = [models.Index(fields=["-name"], name="meta_idx")]

    class InConstraint(PersonalDataModel):
        name = EncryptedCharField(max_length=10)
        city = models.CharField(max_length=10)

        class Meta:
            app_label = "crypto_testapp"
            constraints = [models.UniqueConstraint(fields=["city", "name"], name="meta_unique")]

    class Ordered(PersonalDataModel):
        name = EncryptedTextField()

        class Meta:
            app_label = "crypto_testapp"
            ordering = ["-name"]

    class Fine(PersonalDataModel):
        name = EncryptedCharField(max_length=10)
        name_bidx = BlindIndexField(source="name", normalizer="email", unique=True)

        class Meta:
            app_label = "crypto_testapp"
            ordering = ["name_bidx"]

    assert _check_errors(Unique) == {"privacy.E001"}
    assert _check_errors(Indexed) == {"privacy.E002"}
    assert _check_errors(InMetaIndex) == {"privacy.E002"}
    assert _check_errors(InConstraint) == {"privacy.E001"}
    assert _check_errors(Ordered) == {"privacy.E003"}
    assert _check_errors(Fine) == set()


@isolate_apps("tests.crypto_testapp")
def test_system_checks_refuse_a_missing_key_a_bad_source_and_no_max_length():
    class NoKey(models.Model):  # noqa: DJ008
        name = EncryptedCharField(max_length=10)

        class Meta:
            app_label = "crypto_testapp"

    class Owner(models.Model):  # noqa: DJ008
        class Meta:
            app_label = "crypto_testapp"

    class WrongKey(PersonalDataModel):
        owner = models.ForeignKey(Owner, on_delete=models.CASCADE)
        name = EncryptedCharField(max_length=10, key_field="owner")

        class Meta:
            app_label = "crypto_testapp"

    class BadSource(PersonalDataModel):
        city = models.CharField(max_length=10)
        city_bidx = BlindIndexField(source="city", normalizer="mobile")

        class Meta:
            app_label = "crypto_testapp"

    class NoLength(PersonalDataModel):
        name = EncryptedCharField()

        class Meta:
            app_label = "crypto_testapp"

    assert _check_errors(NoKey) == {"privacy.E004"}
    assert _check_errors(WrongKey) == {"privacy.E004"}
    assert _check_errors(BadSource) == {"privacy.E006"}
    assert _check_errors(NoLength) == {"privacy.E005"}


def test_unknown_normalizer_is_refused_at_definition():
    with pytest.raises(ValueError, match="normalizer"):
        BlindIndexField(source="name", normalizer="phone")


def test_field_deconstruction_round_trips():
    for name in ("name", "mobile_bidx"):
        field = Person._meta.get_field(name)
        _name, path, args, kwargs = field.deconstruct()
        assert path.startswith("privacy.crypto.")
        clone = type(field)(*args, **kwargs)
        assert clone.deconstruct()[3] == kwargs
    assert EncryptedTextField(key_field="other_key").deconstruct()[3] == {"key_field": "other_key"}
    assert Person._meta.get_field("mobile_bidx").deconstruct()[3] == {"source": "mobile", "normalizer": "mobile"}

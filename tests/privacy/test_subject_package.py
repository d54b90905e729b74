"""[H] The copy package: this person's data and nobody else's, the documented schema, the signed
download behind the self-service door (expired / used up / someone else's), retention."""

import csv
import datetime
import io
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest
from django.core import signing
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent, AccessSubject
from privacy.crypto import SubjectKeyShredded, shred_subject
from privacy.models import RetentionRule, SubjectPackage
from privacy.requests import package as packages
from privacy.retention.base import CATEGORIES
from privacy.retention.services import legal_hold_place
from privacy.selfservice import services as link_services

from .conftest import open_link
from .requests_helpers import share_of, with_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(make_contact, officer1, dpo):
    me = make_contact(name="李小明", mobile="13900001111", email="me@example.cn")
    other = make_contact(name="王其他", mobile="13900002222", email="other@example.cn")
    request = with_history(me, officer1, note="甲方")
    with_history(other, officer1, note="乙方")
    share_of(dpo, officer1, [me, other])
    return me, other, request


def _zip(package):
    return zipfile.ZipFile(io.BytesIO(packages.package_open(package)))


def test_package_holds_this_persons_data_and_nobody_elses(two, dpo):
    _me, _other, request = two
    package = packages.package_build(subject_request=request, actor=dpo)
    archive = _zip(package)
    names = set(archive.namelist())
    assert {"data.json", "index.html", "schema.json", "csv/contact.csv", "csv/followups.csv", "csv/uses.csv"} <= names
    everything = b"".join(archive.read(n) for n in names).decode("utf-8-sig", errors="replace")
    for mine in ("李小明", "13900001111", "me@example.cn", "跟进甲方", "投诉甲方", "请求甲方"):
        assert mine in everything, mine
    for theirs in ("王其他", "13900002222", "other@example.cn", "跟进乙方", "投诉乙方", "请求乙方"):
        assert theirs not in everything, theirs
    data = json.loads(archive.read("data.json"))
    assert data["contact"][0]["mobile"] == "13900001111"
    assert data["counts"]["complaints"] == 1 and data["counts"]["requests"] == 1
    assert len(data["shares"]) == 1 and data["consent_ledger"] and data["separate_consents"]
    assert data["uses"]  # the share and the package's own build are uses of the person's data


def test_data_json_follows_the_documented_schema(two, dpo):
    _me, _other, request = two
    package = packages.package_build(subject_request=request, actor=dpo)
    archive = _zip(package)
    schema = json.loads(archive.read("schema.json"))
    assert schema == json.loads(Path(packages.SCHEMA_PATH).read_text())
    jsonschema.validate(json.loads(archive.read("data.json")), schema)
    doc = (Path(__file__).resolve().parents[2] / "docs" / "subject-package.md").read_text()
    for key in schema["properties"]:
        assert f"`{key}`" in doc, key


def test_csv_and_index_html_are_readable_in_chinese(two, dpo):
    _me, _other, request = two
    archive = _zip(packages.package_build(subject_request=request, actor=dpo))
    rows = list(csv.reader(io.StringIO(archive.read("csv/contact.csv").decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "姓名", "手机号"] and rows[1][1] == "李小明"
    page = archive.read("index.html").decode()
    assert "个人信息副本" in page and "跟进记录" in page and "李小明" in page and "<script" not in page


def test_building_records_an_access_event_and_stores_the_file_encrypted(two, dpo):
    me, _other, request = two
    package = packages.package_build(subject_request=request, actor=dpo)
    event = AccessEvent.objects.get(action="subject_export", detail__package=package.pk)
    assert event.user == dpo and AccessSubject.objects.filter(event=event, contact_id=me.pk).exists()
    with default_storage.open(package.file.name, "rb") as handle:
        raw = handle.read()
    assert raw.startswith(b"zsf1$") and b"13900001111" not in raw
    assert package.expires_at - package.created_at == datetime.timedelta(days=5)


def test_a_shredded_person_s_package_no_longer_opens(two, dpo):
    me, _other, request = two
    package = packages.package_build(subject_request=request, actor=dpo)
    shred_subject(me)
    package.refresh_from_db()
    with pytest.raises(SubjectKeyShredded):
        packages.package_open(SubjectPackage.objects.select_related("contact__subject_key").get(pk=package.pk))


# --- The download ------------------------------------------------------------------------------


@pytest.fixture
def built(two, dpo):
    me, _other, request = two
    return me, packages.package_build(subject_request=request, actor=dpo)


def test_the_person_downloads_through_the_signed_link_each_download_an_event(client, built):
    me, package = built
    open_link(client, link_services.selfservice_link(me))
    response = client.get(package.download_path)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Cache-Control"].startswith("no-store")
    data = json.loads(zipfile.ZipFile(io.BytesIO(b"".join(response))).read("data.json"))
    assert data["contact"][0]["mobile"] == "13900001111"
    package.refresh_from_db()
    assert package.download_count == 1
    downloads = AccessEvent.objects.filter(action="subject_export", detail__download=1, user=None)
    assert AccessSubject.objects.filter(event__in=downloads, contact_id=me.pk).count() == 1


def test_without_the_door_cookie_the_download_answers_the_neutral_page(client, built):
    _me, package = built
    response = client.get(package.download_path)
    assert response.status_code == 404 and b"13900001111" not in response.content


def test_someone_elses_package_answers_the_neutral_page(client, built, make_contact):
    _me, package = built
    open_link(client, link_services.selfservice_link(make_contact()))
    assert client.get(package.download_path).status_code == 404
    package.refresh_from_db()
    assert package.download_count == 0


def test_an_expired_link_answers_a_clear_chinese_page(client, built, monkeypatch):
    me, package = built
    signer = packages._signer()
    signed_at = (timezone.now() - datetime.timedelta(days=5, minutes=1)).timestamp()
    monkeypatch.setattr(signer, "timestamp", lambda: signing.b62_encode(int(signed_at)))
    path = reverse("selfservice:package", args=[signer.sign(str(package.pk))])
    open_link(client, link_services.selfservice_link(me))
    response = client.get(path)
    assert response.status_code == 410
    assert "下载链接已过期" in response.content.decode()


def test_a_used_up_or_forged_link_answers_a_clear_page_not_a_500(client, built):
    me, package = built
    open_link(client, link_services.selfservice_link(me))
    SubjectPackage.objects.filter(pk=package.pk).update(download_count=package.max_downloads)
    response = client.get(package.download_path)
    assert response.status_code == 410 and "下载次数已用完" in response.content.decode()
    assert client.get("/c/package/not-a-token/").status_code == 410
    SubjectPackage.objects.filter(pk=package.pk).delete()
    assert client.get(package.download_path).status_code == 410


def test_the_partial_shows_the_link_or_says_it_no_longer_works(built):
    _me, package = built
    html = render_to_string("privacy/requests/_package_link.html", {"package": package})
    assert package.download_path in html and "还可下载 5 次" in html
    package.expires_at = timezone.now()
    assert "副本下载链接已失效" in render_to_string("privacy/requests/_package_link.html", {"package": package})


# --- Retention: the export_files category --------------------------------------------------------


def test_export_files_rule_is_seeded_and_deletes_packages_after_30_days_file_and_row(
    built, django_capture_on_commit_callbacks
):
    _me, package = built
    rule = RetentionRule.objects.get(code="export-files")
    assert (rule.category, rule.period_days, rule.action, rule.active) == ("export_files", 30, "delete", True)
    category = CATEGORIES["export_files"]
    now = timezone.now()
    assert list(category.candidate_ids(rule, now)) == []
    later = now + datetime.timedelta(days=31)
    assert list(category.candidate_ids(rule, later)) == [package.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert category.delete([package.pk], using="default", reference="test") == 1
    assert not SubjectPackage.objects.filter(pk=package.pk).exists()
    assert not default_storage.exists(package.file.name)


def test_a_held_persons_package_is_kept(built, dpo):
    me, _package = built
    legal_hold_place(user=dpo, reason="诉讼", contact=me)
    rule = RetentionRule.objects.get(code="export-files")
    later = timezone.now() + datetime.timedelta(days=31)
    assert list(CATEGORIES["export_files"].candidate_ids(rule, later)) == []

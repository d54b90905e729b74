"""Complaint attachments are encrypted under the complaint's key; the complainant link is a real FK."""

import pytest
from auditlog.context import disable_auditlog
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from clients import services as client_services
from clients.models import Contact
from clients.validators import make_credit_code
from complaints.models import Complaint
from privacy import files
from privacy.crypto import SubjectKeyShredded, shred_subject

pytestmark = pytest.mark.django_db

MARKER = b"ATTACHMENT-PLAINTEXT-MARKER-li-xiaoming"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n" + MARKER + b"\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32 + MARKER


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def filed(make_complaint):
    """A complaint with a PDF and a PNG attachment, filed through the service."""
    complaint, _secret = make_complaint(
        attachments=[
            ("application/pdf", SimpleUploadedFile("李小明-合同.pdf", PDF)),
            ("image/png", SimpleUploadedFile("photo.png", PNG)),
        ]
    )
    return complaint


def _url(complaint, item):
    return reverse("complaints:attachment", args=[complaint.pk, item.pk])


def test_bytes_on_disk_hold_no_plaintext_and_no_uploader_name(filed, _media):
    items = list(filed.attachments.all())
    assert len(items) == 2
    for item in items:
        raw = (_media / item.file.name).read_bytes()
        assert raw.startswith(b"zsf1$") and MARKER not in raw
        assert b"%PDF" not in raw and b"PNG" not in raw
        assert item.file.name.endswith(".zsf") and "李小明" not in item.file.name
    assert sorted(i.size for i in items) == sorted([len(PDF), len(PNG)])


def test_office_downloads_the_original_with_safe_headers(filed, handler, client_for):
    client = client_for(handler)
    pdf = filed.attachments.get(content_type="application/pdf")
    response = client.get(_url(filed, pdf))
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filed.reference}-{pdf.pk}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    png = filed.attachments.get(content_type="image/png")
    assert client.get(_url(filed, png)).content == PNG


def test_download_is_still_gated_by_the_complaint_scope(filed, officer2, client_for):
    item = filed.attachments.first()
    assert client_for(officer2).get(_url(filed, item)).status_code == 404
    assert client_for(None).get(_url(filed, item)).status_code == 302  # to the login page


def test_shredding_the_complaint_key_makes_its_attachments_unreadable(filed, handler, client_for, _media):
    item = filed.attachments.first()
    shred_subject(filed)
    filed.refresh_from_db()
    with pytest.raises(SubjectKeyShredded):
        files.open_decrypted(filed, item.file, purpose=files.COMPLAINT_ATTACHMENT)
    response = client_for(handler).get(_url(filed, item))
    assert response.status_code == 302 and MARKER not in response.content
    assert any("已按规定销毁" in str(m) for m in get_messages(response.wsgi_request))


def test_tampered_attachment_gives_a_clear_message_not_a_500(filed, handler, client_for, _media):
    item = filed.attachments.first()
    path = _media / item.file.name
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x20
    path.write_bytes(bytes(raw))
    response = client_for(handler).get(_url(filed, item))
    assert response.status_code == 302
    assert response["Location"] == reverse("complaints:detail", args=[filed.pk])
    assert any("校验失败" in str(m) for m in get_messages(response.wsgi_request))


def test_attachment_copied_from_another_complaint_does_not_open(filed, make_complaint, handler, client_for, _media):
    other, _secret = make_complaint(attachments=[("image/png", SimpleUploadedFile("b.png", PNG))])
    target = other.attachments.get()
    source = filed.attachments.get(content_type="image/png")
    (_media / target.file.name).write_bytes((_media / source.file.name).read_bytes())
    response = client_for(handler).get(_url(other, target))
    assert response.status_code == 302 and MARKER not in response.content


def test_missing_file_is_a_404(filed, handler, client_for, _media):
    item = filed.attachments.first()
    (_media / item.file.name).unlink()
    assert client_for(handler).get(_url(filed, item)).status_code == 404


def test_public_form_upload_is_encrypted_and_type_checked_first(client, kinds, categories, _media):
    data = {
        "kind": kinds["complaint"].pk,
        "category": categories["policy"].pk,
        "description": "承诺的厂房租金减免一直没有落实，多次询问无人答复。",
        "consent": "on",
        "attachments": SimpleUploadedFile("scan.pdf", PDF),
    }
    assert client.post(reverse("complaints:public_new"), data, REMOTE_ADDR="10.9.0.1").status_code == 302
    item = Complaint.objects.get().attachments.get()
    assert item.content_type == "application/pdf" and MARKER not in (_media / item.file.name).read_bytes()
    fake = {**data, "attachments": SimpleUploadedFile("scan.pdf", b"MZ\x90\x00" + MARKER)}
    assert client.post(reverse("complaints:public_new"), fake, REMOTE_ADDR="10.9.0.2").status_code == 200
    assert Complaint.objects.count() == 1


# --- The complainant link -------------------------------------------------------------------------


@pytest.fixture
def contact(officer1):
    enterprise = client_services.enterprise_create(
        user=officer1, name="投诉关联测试有限公司", credit_code=make_credit_code("91330100MB0009901"), industry="C"
    )
    return client_services.contact_create(
        user=officer1,
        enterprise=enterprise,
        name="王五",
        mobile="13900009901",
        source="client",
        purpose="investment_liaison",
    )


def test_complaint_links_the_contact_as_a_foreign_key(make_complaint, contact):
    complaint, _secret = make_complaint(contact=contact)
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.contact == contact
    assert list(contact.complaints.all()) == [complaint]
    assert Complaint.objects.filter(contact=contact).count() == 1


def test_deleting_the_contact_unlinks_the_complaint_instead_of_blocking(make_complaint, contact):
    field = Complaint._meta.get_field("contact")
    assert field.remote_field.on_delete.__name__ == "SET_NULL"
    complaint, _secret = make_complaint(contact=contact)
    with disable_auditlog():  # as the retention purge deletes (see privacy.retention)
        Contact._base_manager.filter(pk=contact.pk).delete()
    complaint.refresh_from_db()
    assert complaint.contact_id is None and complaint.description  # the complaint itself stays


def test_migration_carries_existing_links_over_and_drops_dangling_ones(make_complaint, contact):
    complaint, _secret = make_complaint(contact=contact)
    orphan, _secret = make_complaint()
    before = [("complaints", "0002_seed_kinds_and_categories")]
    after = [("complaints", "0003_link_complaint_contact")]
    executor = MigrationExecutor(connection)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events before ALTER TABLE
    executor.migrate(before)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE complaints_complaint SET contact_id = %s WHERE id = %s", [10**12, orphan.pk])
    executor.loader.build_graph()
    executor.migrate(after)
    rows = dict(Complaint._base_manager.values_list("pk", "contact_id"))
    assert rows[complaint.pk] == contact.pk
    assert rows[orphan.pk] is None

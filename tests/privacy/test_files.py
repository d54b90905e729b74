"""privacy.files: file contents encrypted under the owning row's data key (or a transient key)."""

import os

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from privacy import files
from privacy.consent.services import _purpose
from privacy.crypto import DecryptionError, SubjectKeyShredded, shred_subject
from privacy.models import ConsentEvent

pytestmark = pytest.mark.django_db

MARKER = b"PLAINTEXT-MARKER-13800138000"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82" + MARKER
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- The format ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "size",
    [0, 1, files.CHUNK_SIZE - 1, files.CHUNK_SIZE, files.CHUNK_SIZE + 1, 3 * files.CHUNK_SIZE, 10 * 1024 * 1024],
)
def test_round_trip_at_chunk_boundaries(contact, size):
    data = os.urandom(size)
    blob = files.encrypt_for(contact, data, purpose=files.CONSENT_EVIDENCE)
    assert files.decrypt_for(contact, blob, purpose=files.CONSENT_EVIDENCE) == data


def test_header_names_format_version_and_the_owner_keys_suite(contact):
    blob = files.encrypt_for(contact, MARKER, purpose=files.CONSENT_EVIDENCE)
    assert blob.startswith(f"zsf1${contact.subject_key.suite}$".encode())
    assert MARKER not in blob


def test_uploaded_file_is_read_in_chunks_and_left_rewound(contact):
    upload = SimpleUploadedFile("a.png", PNG * 1000)
    blob = files.encrypt_for(contact, upload, purpose=files.CONSENT_EVIDENCE)
    assert upload.tell() == 0
    assert files.decrypt_for(contact, blob, purpose=files.CONSENT_EVIDENCE) == PNG * 1000


def test_sm4_suite_round_trip(settings, make_contact):
    settings.CIPHER_SUITE = "sm4"
    contact = make_contact()
    assert contact.subject_key.suite == "sm4"
    blob = files.encrypt_for(contact, MARKER * 100, purpose=files.CONSENT_EVIDENCE)
    assert blob.startswith(b"zsf1$sm4$")
    assert files.decrypt_for(contact, blob, purpose=files.CONSENT_EVIDENCE) == MARKER * 100


def test_same_plaintext_encrypts_differently_each_time(contact):
    one = files.encrypt_for(contact, MARKER, purpose=files.CONSENT_EVIDENCE)
    two = files.encrypt_for(contact, MARKER, purpose=files.CONSENT_EVIDENCE)
    assert one != two


# --- Binding and tampering ----------------------------------------------------------------------


def test_file_of_one_owner_does_not_open_for_another(make_contact):
    first, second = make_contact(), make_contact()
    blob = files.encrypt_for(first, MARKER, purpose=files.CONSENT_EVIDENCE)
    with pytest.raises(DecryptionError):
        files.decrypt_for(second, blob, purpose=files.CONSENT_EVIDENCE)


def test_file_does_not_open_under_another_purpose(contact):
    blob = files.encrypt_for(contact, MARKER, purpose=files.CONSENT_EVIDENCE)
    with pytest.raises(DecryptionError):
        files.decrypt_for(contact, blob, purpose=files.COMPLAINT_ATTACHMENT)


@pytest.mark.parametrize("where", ["header", "sealed_key", "first_chunk", "last_byte"])
def test_any_flipped_byte_is_detected(contact, where):
    data = os.urandom(files.CHUNK_SIZE + 100)
    blob = bytearray(files.encrypt_for(contact, data, purpose=files.CONSENT_EVIDENCE))
    position = {"header": 12, "sealed_key": 40, "first_chunk": 200, "last_byte": len(blob) - 1}[where]
    blob[position] ^= 0x01
    with pytest.raises(DecryptionError):
        files.decrypt_for(contact, bytes(blob), purpose=files.CONSENT_EVIDENCE)


def test_truncation_at_a_chunk_boundary_is_detected(contact):
    data = os.urandom(2 * files.CHUNK_SIZE + 10)
    blob = files.encrypt_for(contact, data, purpose=files.CONSENT_EVIDENCE)
    last_chunk = 10 + 16
    with pytest.raises(DecryptionError):
        files.decrypt_for(contact, blob[:-last_chunk], purpose=files.CONSENT_EVIDENCE)


@pytest.mark.parametrize("blob", [b"", b"%PDF-1.4 plain file", b"zsf1$xyz$" + b"\0" * 64, b"zsf1$aes$\0\0"])
def test_plain_or_foreign_files_are_refused(contact, blob):
    with pytest.raises(DecryptionError):
        files.decrypt_for(contact, blob, purpose=files.CONSENT_EVIDENCE)


# --- Shredding ----------------------------------------------------------------------------------


def test_shredding_the_owner_makes_its_stored_files_unreadable(contact):
    name = files.encrypt_file_for(
        contact, SimpleUploadedFile("x.png", PNG), purpose=files.CONSENT_EVIDENCE, name="t/evidence.zsf"
    )
    assert files.open_decrypted(contact, name, purpose=files.CONSENT_EVIDENCE) == PNG
    shred_subject(contact)
    contact.refresh_from_db()
    with pytest.raises(SubjectKeyShredded):
        files.open_decrypted(contact, name, purpose=files.CONSENT_EVIDENCE)


# --- Transient keys (import spool) --------------------------------------------------------------


def test_transient_round_trip_and_wrong_key_refused():
    key = files.new_transient_key()
    blob = files.encrypt_transient(MARKER, key=key, purpose=files.IMPORT_SPOOL)
    assert MARKER not in blob
    assert files.decrypt_transient(blob, key=key, purpose=files.IMPORT_SPOOL) == MARKER
    with pytest.raises(DecryptionError):
        files.decrypt_transient(blob, key=files.new_transient_key(), purpose=files.IMPORT_SPOOL)
    for bad in ("", "aes:not-base64!", "xyz:AAAA", "aes:AAAA"):
        with pytest.raises(DecryptionError):
            files.decrypt_transient(blob, key=bad, purpose=files.IMPORT_SPOOL)


# --- Consent evidence through the pages ---------------------------------------------------------


def _record_evidence(client, contact):
    upload = SimpleUploadedFile("signed.png", PNG, content_type="image/png")
    response = client.post(
        f"/privacy/contacts/{contact.pk}/consent/",
        {"purpose": _purpose("policy_push").pk, "action": "granted", "channel": "paper", "evidence": upload},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ConsentEvent.objects.get(contact=contact)


def test_consent_evidence_is_stored_encrypted_and_downloads_as_uploaded(officer1, contact, client_for, _media):
    client = client_for(officer1)
    event = _record_evidence(client, contact)
    raw = (_media / event.evidence.name).read_bytes()
    assert raw.startswith(b"zsf1$") and MARKER not in raw and b"PNG" not in raw
    assert event.evidence.name.endswith(".zsf") and "signed" not in event.evidence.name

    response = client.get(reverse("privacy:evidence", args=[event.pk]))
    assert response.status_code == 200
    assert response.content == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'attachment; filename="consent-evidence-{event.pk}.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_evidence_of_a_shredded_contact_is_unreadable_with_a_message(officer1, contact, client_for):
    client = client_for(officer1)
    event = _record_evidence(client, contact)
    shred_subject(contact)
    response = client.get(reverse("privacy:evidence", args=[event.pk]))
    assert response.status_code == 302 and PNG not in response.content
    assert any("已销毁" in str(m) for m in get_messages(response.wsgi_request))


def test_tampered_evidence_gives_a_clear_message_not_a_500(officer1, contact, client_for, _media):
    client = client_for(officer1)
    event = _record_evidence(client, contact)
    path = _media / event.evidence.name
    raw = bytearray(path.read_bytes())
    raw[-5] ^= 0xFF
    path.write_bytes(bytes(raw))
    response = client.get(reverse("privacy:evidence", args=[event.pk]))
    assert response.status_code == 302
    assert any("校验失败" in str(m) for m in get_messages(response.wsgi_request))


def test_evidence_file_swapped_from_another_contact_does_not_open(officer1, make_contact, client_for, _media):
    client = client_for(officer1)
    first, second = make_contact(), make_contact()
    event_a, event_b = _record_evidence(client, first), _record_evidence(client, second)
    (_media / event_b.evidence.name).write_bytes((_media / event_a.evidence.name).read_bytes())
    response = client.get(reverse("privacy:evidence", args=[event_b.pk]))
    assert response.status_code == 302 and PNG not in response.content

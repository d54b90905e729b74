"""The Excel import preview is spooled encrypted, under a key that lives only in the session."""

import io

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from clients.models import Enterprise
from privacy import files

from .conftest import credit_code
from .test_excel import ENTERPRISE_HEADERS, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def preview(officer1, client_for, settings, tmp_path):
    """Upload a file for preview; returns (client, url, token, the uploaded bytes, spool path)."""
    settings.MEDIA_ROOT = tmp_path
    client = client_for(officer1)
    url = reverse("clients:import_upload", args=["enterprise"])
    data = xlsx(ENTERPRISE_HEADERS, [["加密暂存公司", credit_code(), "", "", "", "", "展会"]])
    upload = io.BytesIO(data)
    upload.name = "p.xlsx"
    response = client.post(url, {"file": upload, "mode": "create"})
    assert response.status_code == 200
    token = response.context["token"]
    return client, url, token, data, tmp_path / "import_spool" / f"{token}.bin"


def test_spooled_preview_is_encrypted_and_the_key_is_not_on_disk(preview):
    client, _url, _token, data, path = preview
    raw = path.read_bytes()
    assert raw.startswith(b"zsf1$") and not raw.startswith(b"PK") and data not in raw
    key = client.session["clients_import_spool"]["key"]
    assert key.encode() not in raw
    assert files.decrypt_transient(raw, key=key, purpose=files.IMPORT_SPOOL) == data


def test_tampered_spool_is_refused_with_a_message_and_imports_nothing(preview):
    client, url, token, _data, path = preview
    raw = bytearray(path.read_bytes())
    raw[-3] ^= 0x01
    path.write_bytes(bytes(raw))
    response = client.post(url, {"token": token})
    assert response.status_code == 302
    assert any("已失效" in str(m) for m in get_messages(response.wsgi_request))
    assert not Enterprise.objects.exists() and not path.exists()


def test_spool_without_its_session_key_cannot_be_imported(preview):
    client, url, token, _data, path = preview
    assert path.exists()
    session = client.session
    session["clients_import_spool"]["key"] = files.new_transient_key()  # another key: as if the session changed
    session.save()
    response = client.post(url, {"token": token})
    assert response.status_code == 302 and not Enterprise.objects.exists()

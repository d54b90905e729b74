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


def test_session_and_batch_hold_the_spool_key_only_wrapped_by_the_master_key(preview, settings):
    """A backup of the database (session, batch) and MEDIA_ROOT together, without the master key,
    does not open the preview."""
    import base64
    import os

    from clients.models import ImportBatch
    from privacy.crypto import DecryptionError

    client, url, token, _data, path = preview
    key = client.session["clients_import_spool"]["key"]
    assert key.startswith("zsk1$")
    client.post(url, {"token": token})  # confirmed: the key waits in the batch row for the worker
    assert ImportBatch.objects.get().spool_key == key
    raw = path.read_bytes()
    settings.FIELD_ENCRYPTION_KEYS = f"restored:{base64.b64encode(os.urandom(32)).decode()}"
    with pytest.raises(DecryptionError):
        files.decrypt_transient(raw, key=key, purpose=files.IMPORT_SPOOL)


def test_old_previews_and_expired_sessions_are_swept_on_a_schedule(preview, officer1, settings):
    import os
    import time

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from clients.models import ImportBatch
    from clients.tasks import sweep_import_spool
    from zhaoshang.core.tasks import clear_expired_sessions

    assert {"clients.tasks.sweep_import_spool", "zhaoshang.core.tasks.clear_expired_sessions"} <= {
        job["task"] for job in settings.CELERY_BEAT_SCHEDULE.values()
    }
    _client, _url, _token, _data, path = preview
    waiting = path.with_name("waitingtoken.bin")
    waiting.write_bytes(b"zsf1$...")
    ImportBatch.objects.create(kind="enterprise", user=officer1, spool_token="waitingtoken", spool_key="zsk1$x")
    hour_ago = time.time() - 3601
    for spooled in (path, waiting):
        os.utime(spooled, (hour_ago, hour_ago))
    sweep_import_spool()
    assert not path.exists()  # nobody confirmed it within the hour
    assert waiting.exists()  # its batch is still queued: its task deletes it
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    clear_expired_sessions()
    assert not Session.objects.exists()

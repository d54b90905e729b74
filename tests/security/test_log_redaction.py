"""No signed token or tracking secret reaches a log line: every token path, through the loggers that
print paths (the CSRF refusal, the 404 and 500 lines of django.request), the console handler
as configured in settings.LOGGING, and gunicorn's access log."""

import io
import logging
from datetime import timedelta

import pytest
from django.test import Client

from complaints.models import ComplaintCategory, ComplaintKind
from privacy.selfservice import services as link_services
from zhaoshang.core.redaction import redact


@pytest.fixture
def console():
    """What the configured console handler writes (every logger ends there), as text."""
    handler = next(h for h in logging.getLogger("django.request").handlers if h.get_name() == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    request_logger = logging.getLogger("django.request")
    level = request_logger.level
    request_logger.setLevel(logging.WARNING)  # as an operator would to see 404s: they must be clean too
    yield stream
    request_logger.setLevel(level)
    handler.setStream(previous)


@pytest.fixture
def token_paths(org):
    """(path, its secret parts) for every kind of token-bearing path."""
    from clients import services as client_services
    from clients.validators import make_credit_code
    from complaints import services as complaint_services

    officer = org["officer1"]
    enterprise = client_services.enterprise_create(
        user=officer, name="日志测试企业有限公司", credit_code=make_credit_code("91330100MX0000001"), industry="C"
    )
    contact = client_services.contact_create(user=officer, enterprise=enterprise, name="日志", mobile="13700007777")
    link = link_services.selfservice_link(contact)
    token = link.split("/")[2]
    complaint, secret = complaint_services.complaint_submit(
        kind=ComplaintKind.objects.first(),
        category=ComplaintCategory.objects.first(),
        description="日志脱敏测试的投诉内容。",
        channel="web",
    )
    nonce = link_services.token_nonce(token)
    return [
        (link, [token, nonce]),  # the self-service link (the door)
        (f"{link}complaint/", [token, nonce]),  # a door straight to one page
        (f"/c/{token[:-3]}xyz/", [token[:-3], nonce]),  # a damaged token is still a secret's prefix
        (f"/c/download/{token}/", [token, nonce]),  # downloads to come, under /c/
        (f"/complaints/t/{complaint.reference}/{secret}/", [secret]),  # complaint tracking
    ]


def _secrets_in(text, secrets):
    return [s for s in secrets if s and s in text]


def test_csrf_refusals_never_log_a_secret(console, token_paths):
    client = Client(enforce_csrf_checks=True)
    for path, _secrets in token_paths:
        response = client.post(path, {"x": "1"})
        assert response.status_code in (403, 404, 405), path
    text = console.getvalue()
    assert "Forbidden (CSRF" in text  # the refusals were logged ...
    assert "/c/[redacted]/" in text and "/complaints/t/[redacted]/[redacted]/" in text
    for _path, secrets in token_paths:
        assert not _secrets_in(text, secrets)  # ... without their secrets


def test_404s_never_log_a_secret(console, token_paths, client):
    for path, _secrets in token_paths:
        client.get(path.replace("/c/", "/c/zz-", 1) if path.startswith("/c/") else path + "x/")
        client.get(path[:-2] + "/")  # a damaged link: the neutral page or a tracking 404
    text = console.getvalue()
    assert "Not Found" in text
    for _path, secrets in token_paths:
        assert not _secrets_in(text, secrets)


def test_a_500_on_a_token_path_never_logs_the_secret(console, token_paths, client, monkeypatch):
    from complaints import views

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "_tracked", crash)
    client.raise_request_exception = False
    path, secrets = token_paths[-1]
    assert client.get(path).status_code == 500
    text = console.getvalue()
    assert "Internal Server Error: /complaints/t/[redacted]/[redacted]/" in text
    assert not _secrets_in(text, secrets)


def test_gunicorn_access_log_is_redacted(token_paths):
    from gunicorn.config import Config

    from zhaoshang.core.gunicorn_logging import RedactingLogger

    class Response:
        status, sent, headers = "302 Found", 0, [("Location", "/c/")]

    for path, secrets in token_paths:
        environ = {
            "REQUEST_METHOD": "GET",
            "RAW_URI": path,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "10.0.0.1",
            "HTTP_REFERER": f"https://zone.example.cn{path}",
        }
        headers = [("Referer", environ["HTTP_REFERER"])]
        atoms = RedactingLogger(Config()).atoms(Response(), headers, environ, timedelta())
        line = " ".join(str(v) for v in atoms.values())
        assert not _secrets_in(line, secrets), path


def test_redaction_keeps_route_words_and_other_paths():
    assert redact("GET /c/consent/ 302") == "GET /c/consent/ 302"
    assert redact("GET /c/separate/partner_sharing/") == "GET /c/separate/partner_sharing/"
    assert redact("/clients/contacts/12/") == "/clients/contacts/12/"
    assert redact("Not Found: /c/AbC:1x:Sig/withdraw-all/") == "Not Found: /c/[redacted]/withdraw-all/"

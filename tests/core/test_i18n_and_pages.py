import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_dashboard_is_chinese_by_default_even_for_an_english_browser(client, officer1):
    client.force_login(officer1)
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "工作台" in body
    assert 'lang="zh-CN"' in body


def test_dashboard_is_english_after_switching(client, officer1):
    client.force_login(officer1)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert "Dashboard" in body
    assert "工作台" not in body
    assert 'lang="en"' in body


def test_not_found_page_is_chinese(client, officer1):
    client.force_login(officer1)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_csp_header_forbids_inline_script(client, officer1):
    client.force_login(officer1)
    csp = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_no_cdn_in_templates():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "templates").rglob("*.html")
        if "//cdn" in p.read_text(encoding="utf-8") or "https://" in p.read_text(encoding="utf-8")
    ]
    assert not offenders


@pytest.mark.django_db
def test_healthz_reports_database_redis_and_migrations_without_login(client):
    from zhaoshang.core.health import heartbeat_record

    heartbeat_record()  # a worker is alive (tests/core/test_background_health.py covers the rest)
    response = client.get("/healthz")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["worker_heartbeat_age"] < 60
    del data["worker_heartbeat_age"]
    expected = {"status": "ok", "database": "ok", "redis": "ok", "migrations": "ok", "worker": "ok"}
    assert data == {**expected, "oldest_queued_seconds": None}


def _run_manage(env_overrides, *args):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"}}
    env.update(env_overrides)
    return subprocess.run(  # noqa: S603 - our own manage.py with a fixed argument list
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"])
def test_missing_secret_with_debug_off_stops_start_up_with_instructions(missing):
    present = {"SECRET_KEY": "x" * 50, "FIELD_ENCRYPTION_KEYS": "k1:" + "A" * 43 + "=", "BLIND_INDEX_KEY": "B" * 44}
    present.pop(missing)
    result = _run_manage({"DEBUG": "False", "ZHAOSHANG_ENV_FILE": os.devnull, **present}, "check")
    assert result.returncode != 0
    assert f"缺少密钥 {missing}" in result.stderr
    assert "createkeys" in result.stderr


def test_createkeys_runs_without_keys_and_prints_env_lines():
    result = _run_manage({"DEBUG": "False", "ZHAOSHANG_ENV_FILE": os.devnull}, "createkeys")
    assert result.returncode == 0, result.stderr
    names = {line.split("=", 1)[0] for line in result.stdout.splitlines() if "=" in line}
    assert {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"} <= names

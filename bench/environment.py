"""The environment every in-process benchmark runs in: its own database, throwaway keys, no Redis,
production-like settings (DEBUG off), and the schema built from the models rather than the
migrations (other apps' migrations may be in flux while a benchmark is written)."""

import base64
import os
import secrets


def _b64(n):
    return base64.b64encode(secrets.token_bytes(n)).decode()


class _NoMigrations(dict):
    def __contains__(self, item):
        return True

    def __getitem__(self, item):
        return None


def setup(database):
    """Point Django at `database` (on the server of $DATABASE_URL) and set it up."""
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zhaoshang")
    os.environ["DATABASE_URL"] = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + database
    os.environ["ZHAOSHANG_ENV_FILE"] = os.devnull
    os.environ["ZHAOSHANG_TESTING"] = "True"
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["FIELD_ENCRYPTION_KEYS"] = f"bench:{_b64(32)}"
    os.environ["BLIND_INDEX_KEY"] = _b64(32)
    os.environ["REDIS_URL"] = ""
    os.environ["DEBUG"] = "False"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "False"
    os.environ["STATIC_MANIFEST"] = "False"
    os.environ["REQUIRE_2FA_FOR_PRIVILEGED"] = "False"
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhaoshang.settings"

    import django

    django.setup()

    from django.conf import settings

    settings.MIGRATION_MODULES = _NoMigrations()  # schema from the models

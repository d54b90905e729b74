"""Root pytest configuration: the environment the suite runs in, set before Django loads.

Keys are generated fresh for every run: no secret, not even a test one, lives in the repository.
The database and Redis default to the local PostgreSQL and Redis (the Makefile checks they answer);
DATABASE_URL / REDIS_URL override them.
"""

import base64
import os
import secrets

import django


def _b64(n):
    return base64.b64encode(secrets.token_bytes(n)).decode()


os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zhaoshang")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", f"test1:{_b64(32)}")
os.environ.setdefault("BLIND_INDEX_KEY", _b64(32))
os.environ.setdefault("DEBUG", "False")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
os.environ.setdefault("SESSION_COOKIE_SECURE", "False")
os.environ.setdefault("STATIC_MANIFEST", "False")
os.environ.setdefault("REQUIRE_2FA_FOR_PRIVILEGED", "False")
os.environ.setdefault("REVEAL_REQUIRES_TRAINING", "False")  # tests of the gate turn it on
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("ZHAOSHANG_ENV_FILE", os.devnull)  # never read a developer's .env in tests
os.environ.setdefault("ZHAOSHANG_TESTING", "True")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API under pytest-django
os.environ["DJANGO_SETTINGS_MODULE"] = "zhaoshang.settings"

# pytest-django finishes the set-up in its pytest_configure hook once Django is set up here.
django.setup()

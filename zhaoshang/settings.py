"""zhaoshang settings: one module, every knob read from the environment.

Each variable is documented in `.env.example`. Values are typed by django-environ and a bad value
fails loudly at start-up. Nothing here exists only in production: the same module serves
development (SQLite, inline Celery) and production (PostgreSQL, Redis).
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from zhaoshang.core.api import tags as api_text

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
ENV_FILE = env.str("ZHAOSHANG_ENV_FILE", default=str(BASE_DIR / ".env"))
if Path(ENV_FILE).is_file():
    environ.Env.read_env(ENV_FILE)

DEBUG = env.bool("DEBUG", default=False)

# --- Secrets ---------------------------------------------------------------------------------
# None of these has a default outside DEBUG. `python manage.py createkeys` prints fresh values.
_CREATING_KEYS = sys.argv[1:2] == ["createkeys"]
_KEY_HELP = (
    "缺少密钥 {name}。请运行 `python manage.py createkeys`，把输出的 NAME=value 行写入 .env "
    "或部署环境变量后再启动。 (Missing secret {name}: run `python manage.py createkeys` and put "
    "its NAME=value lines into .env or the environment.)"
)


def _secret(name):
    value = env.str(name, default="")
    if not value and not DEBUG and not _CREATING_KEYS:
        raise ImproperlyConfigured(_KEY_HELP.format(name=name))
    return value


SECRET_KEY = _secret("SECRET_KEY") or "django-insecure-development-only-not-a-secret"
# Master keys for field encryption, newest first: "id1:base64key,id2:base64key".
FIELD_ENCRYPTION_KEYS = _secret("FIELD_ENCRYPTION_KEYS")
# Key for the blind indexes (keyed HMAC of normalised mobile/email), base64.
BLIND_INDEX_KEY = _secret("BLIND_INDEX_KEY")
# Cipher suite for new data: "aes" (AES-256-GCM + HMAC-SHA256) or "sm4" (SM4-GCM + HMAC-SM3, 国密).
CIPHER_SUITE = env.str("CIPHER_SUITE", default="aes")
if CIPHER_SUITE not in {"aes", "sm4"}:
    raise ImproperlyConfigured("CIPHER_SUITE must be 'aes' or 'sm4'.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Applications ----------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_totp",
    "two_factor",
    "axes",
    "guardian",
    "auditlog",
    "django_htmx",
    "django_bootstrap5",
    "csp",
    "import_export",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "zhaoshang.core",
    "clients",
    "privacy",
    "audit",
    "complaints",
    "integrations",
]
if env.bool("ZHAOSHANG_TESTING", default=False):
    INSTALLED_APPS += ["tests.crypto_testapp"]  # models used only by the encryption tests
    # Tests sign in hundreds of times; PBKDF2 at full strength would dominate the run.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

MIDDLEWARE = [
    "zhaoshang.core.middleware.ClientAddressMiddleware",  # [P] first: every reader sees the client
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "zhaoshang.core.middleware.CorrelationIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zhaoshang.core.middleware.LanguageMiddleware",
    "zhaoshang.core.middleware.RequestSizeLimitMiddleware",  # [P] before anything reads the body
    "zhaoshang.core.middleware.RejectNulBytesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "zhaoshang.core.middleware.RequireTwoFactorMiddleware",
    "zhaoshang.core.middleware.NoStoreForSignedInMiddleware",  # [P] signed-in pages are never cached
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "audit.middleware.DeniedAccessMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhaoshang.urls"
WSGI_APPLICATION = "zhaoshang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhaoshang.core.context_processors.portal",
            ],
            "builtins": [
                "privacy.templatetags.masking",
                "zhaoshang.core.templatetags.people",
                "zhaoshang.core.templatetags.numbers",
                "django_bootstrap5.templatetags.django_bootstrap5",  # [N] one form renderer everywhere
            ],
        },
    }
]

# [N] django-bootstrap5 renders every form of the portal and the public pages alike: labels above
# their fields, required fields marked by the "required" wrapper class (static/css/app.css puts the
# red star), errors under the field; no placeholders repeating the label; assets are vendored.
BOOTSTRAP5 = {
    "layout": "",  # vertical: label above the field, on every screen width
    "wrapper_class": "mb-3",
    "required_css_class": "required",
    "error_css_class": "has-error",
    "set_placeholder": False,
    "field_renderers": {"default": "zhaoshang.core.bootstrap.FieldRenderer"},  # errors red, no green ticks
    "css_url": None,
    "javascript_url": None,
}

# --- Database --------------------------------------------------------------------------------
# PostgreSQL in production (psycopg 3). Unset: a SQLite file, so a first look needs nothing.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if IS_POSTGRES:
    # Prepared statements (Django turns them off): only server-binding cursors use them, so the ORM
    # (client-side binding) is unchanged; the self-service page's two hot statements are prepared
    # after 5 runs on a connection instead of planned on every view (planning cost more than running).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery -----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL  # no Redis: tasks run inline, in the caller's process
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE = {
    "release-idle-projects": {"task": "clients.tasks.release_idle_projects", "schedule": crontab(hour=1, minute=15)},
    "seal-audit-trail": {
        "task": "audit.tasks.seal_audit_trail",
        "schedule": crontab(minute="*/10"),
    },
    "audit-anomaly-report": {
        "task": "audit.tasks.detect_anomalies",
        "schedule": crontab(hour=1, minute=45),
    },
    "audit-rectification-reminders": {
        "task": "audit.tasks.remind_overdue_rectifications",
        "schedule": crontab(hour=8, minute=30),
    },
    "purge-expired": {
        "task": "privacy.tasks.purge_expired",
        "schedule": crontab(hour=2, minute=30),
    },
    "sharing-reminders": {  # [I] agreements expiring, evaluations, assessment reviews, mitigations due
        "task": "privacy.tasks.send_sharing_reminders",
        "schedule": crontab(hour=8, minute=15),
    },
    "incident-training-reminders": {  # [J] regulator deadlines, yearly drill, training expiring
        "task": "privacy.tasks.send_incident_training_reminders",
        "schedule": crontab(minute="5,35"),
    },
    "review-reminders": {  # [J] privacy policy and laws register: reviews falling due
        "task": "privacy.tasks.send_review_reminders",
        "schedule": crontab(hour=8, minute=20),
    },
    "scorecard-monthly-snapshot": {  # [J] the PIPL scorecard's monthly snapshot (idempotent per month)
        "task": "privacy.tasks.take_scorecard_snapshot",
        "schedule": crontab(day_of_month=1, hour=3, minute=10),
    },
    "complaint-deadlines": {
        "task": "complaints.tasks.check_deadlines",
        "schedule": crontab(minute="*/30"),
    },
    "deliver-webhooks": {
        "task": "integrations.tasks.deliver_due_webhooks",
        "schedule": crontab(minute="*"),
    },
    "notification-digest": {
        "task": "zhaoshang.core.tasks.send_notification_digests",
        "schedule": crontab(hour=7, minute=30),
    },
    "subject-request-clock": {  # [H] reminders, overdue notices, unverified and unanswered requests closed
        "task": "privacy.tasks.check_subject_requests",
        "schedule": crontab(minute=20),
    },
    "followup-overdue-notices": {
        "task": "clients.tasks.notify_overdue_followups",
        "schedule": crontab(hour=7, minute=0),
    },
    # [L] pool projects about to be released (owner) and the team's overdue follow-ups (heads)
    "pool-release-warnings": {
        "task": "clients.tasks.notify_pool_release_warnings",
        "schedule": crontab(hour=7, minute=5),
    },
    "team-overdue-digest": {
        "task": "clients.tasks.notify_team_overdue",
        "schedule": crontab(hour=7, minute=10),
    },
    # A worker records it: /healthz and the stalled-work banner read its age (zhaoshang.core.health).
    "worker-heartbeat": {
        "task": "zhaoshang.core.tasks.heartbeat",
        "schedule": 60.0,
    },
    # [P] unconfirmed import previews and expired sessions must not linger (they hold personal data)
    "sweep-import-spool": {
        "task": "clients.tasks.sweep_import_spool",
        "schedule": crontab(minute="*/15"),
    },
    "clear-expired-sessions": {"task": "zhaoshang.core.tasks.clear_expired_sessions", "schedule": crontab(minute=5)},
    # Counts the database keeps by inserting a row per change, folded back together (core/tallies.py)
    "compact-tallies": {"task": "zhaoshang.core.tasks.compact_tallies", "schedule": crontab(minute=40)},
}
# Seconds after which a missing heartbeat, or a job still queued, counts as stalled background work.
WORKER_HEARTBEAT_MAX_AGE_SECONDS = env.int("WORKER_HEARTBEAT_MAX_AGE_SECONDS", default=300)
QUEUED_JOB_MAX_AGE_SECONDS = env.int("QUEUED_JOB_MAX_AGE_SECONDS", default=600)

# --- Authentication and sessions -------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "two_factor:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "two_factor:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True  # the clock restarts on every request: an *idle* timeout
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# django-axes: lock account + IP after 5 failures for 15 minutes from the lock-out ([P]: attempts
# while locked do not restart it); and the account from every address after 20 failures within an
# hour (zhaoshang.core.auth.LockoutHandler).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "zhaoshang.core.auth.LockoutHandler"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # the per-username count reads it
AXES_USERNAME_FAILURE_LIMIT = env.int("AXES_USERNAME_FAILURE_LIMIT", default=20)
AXES_USERNAME_WINDOW = timedelta(minutes=env.int("AXES_USERNAME_WINDOW_MINUTES", default=60))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "zhaoshang.core.auth.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "zhaoshang.core.middleware.client_ip"  # [P] the address behind trusted proxies

# Two-factor: TOTP for everyone; required for privileged roles when this is on.
REQUIRE_2FA_FOR_PRIVILEGED = env.bool("REQUIRE_2FA_FOR_PRIVILEGED", default=not DEBUG)
TWO_FACTOR_PATCH_ADMIN = True
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="招商管理平台")

# django-guardian: no anonymous user row; our own direct FK permission tables per model.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# django-auditlog: explicit registration (audit.registry); personal fields masked with a constant.
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = not env.bool("AUDIT_RECORD_CLIENT_IP", default=False)
AUDITLOG_MASK_CALLABLE = "privacy.crypto.masking.audit_constant_mask"
AUDIT_RECORD_CLIENT_IP = not AUDITLOG_DISABLE_REMOTE_ADDR
AUDITLOG_CID_GETTER = "zhaoshang.core.middleware.get_correlation_id"

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The tallies' months follow this zone: after changing it, run `manage.py tallies --rebuild`.
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and media files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"  # never served publicly: files are handed out by permission-checked views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# [P] Larger request bodies are refused (413) before they are read: five 10 MB attachments and the
# form around them. The proxy's client_max_body_size should say the same (README, Deployment).
REQUEST_MAX_BODY_BYTES = env.int("REQUEST_MAX_BODY_BYTES", default=51 * 1024 * 1024)

# --- Security headers ------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# [P] Proxies in front of the application (nginx: 1). With 0, X-Forwarded-For and X-Request-ID are
# ignored; with N, the client is the N-th X-Forwarded-For entry from the right -- for every rate
# limit, the sign-in lock-out and the audit trail (zhaoshang.core.middleware.ClientAddressMiddleware).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# W021: HSTS preload is a public-internet commitment; the zone's portal may live on an intranet name.
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=["security.W021"])

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- E-mail ----------------------------------------------------------------------------------
_MAIL = "django.core.mail.backends."
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=_MAIL + ("console.EmailBackend" if DEBUG else "smtp.EmailBackend"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="zhaoshang@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Logging: never personal data; request ids for correlation ------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "correlation": {"()": "zhaoshang.core.middleware.CorrelationIdFilter"},
        # Self-service, tracking and download paths carry secrets: one filter, on the one handler.
        "redact_tokens": {"()": "zhaoshang.core.redaction.RedactTokenPaths"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["correlation", "redact_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Every logger ends at the console handler, whose filter redacts token paths ([P]); "django"
        # is listed so that Django's own default handlers (unfiltered) are not left on it.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.security.csrf": {"level": "WARNING"},
        "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# --- Domain settings -------------------------------------------------------------------------
PUBLIC_POOL_IDLE_DAYS = env.int("PUBLIC_POOL_IDLE_DAYS", default=30)
# [L] 公海: whom the pool serves ("zone": every officer; "department": the project's department,
# with the departments above and below it), how many claimed projects an officer may hold (0: no
# limit), days before the officer who released a project may claim it back, and days ahead of the
# idle release that its owner is reminded.
POOL_SCOPE = env.str("POOL_SCOPE", default="department")
if POOL_SCOPE not in ("zone", "department"):
    raise ImproperlyConfigured("POOL_SCOPE must be 'zone' or 'department'.")
POOL_CLAIM_LIMIT = env.int("POOL_CLAIM_LIMIT", default=20)
POOL_RECLAIM_COOLDOWN_DAYS = env.int("POOL_RECLAIM_COOLDOWN_DAYS", default=7)
POOL_RELEASE_WARNING_DAYS = env.int("POOL_RELEASE_WARNING_DAYS", default=3)
REVEAL_DAILY_LIMIT = env.int("REVEAL_DAILY_LIMIT", default=50)
CLIENTS_IMPORT_MAX_ROWS = env.int("CLIENTS_IMPORT_MAX_ROWS", default=5000)  # rows per Excel import
CLIENTS_EXPORT_MAX_ROWS = env.int("CLIENTS_EXPORT_MAX_ROWS", default=20000)  # rows per export
SELFSERVICE_TOKEN_MAX_AGE_DAYS = env.int("SELFSERVICE_TOKEN_MAX_AGE_DAYS", default=30)
SELFSERVICE_RATE_LIMIT_PER_MINUTE = env.int("SELFSERVICE_RATE_LIMIT_PER_MINUTE", default=30)
# [P] Minutes the cookie the link's door sets keeps the pages open after the last page (privacy.selfservice.door).
SELFSERVICE_SESSION_MINUTES = env.int("SELFSERVICE_SESSION_MINUTES", default=30)
# [P] Requests per minute and client IP to complaint-tracking links (as the self-service pages).
TRACKING_RATE_LIMIT_PER_MINUTE = env.int("TRACKING_RATE_LIMIT_PER_MINUTE", default=30)
PUBLIC_FORM_RATE_LIMIT_PER_HOUR = env.int("PUBLIC_FORM_RATE_LIMIT_PER_HOUR", default=10)
# Seconds a process keeps a year of the working-day calendar before re-reading it.
WORKING_CALENDAR_CACHE_SECONDS = env.int("WORKING_CALENDAR_CACHE_SECONDS", default=300)
ANOMALY_DAILY_REVEAL_THRESHOLD = env.int("ANOMALY_DAILY_REVEAL_THRESHOLD", default=30)
ANOMALY_EXPORT_ROWS_THRESHOLD = env.int("ANOMALY_EXPORT_ROWS_THRESHOLD", default=1000)
ZONE_NAME = env.str("ZONE_NAME", default="示范经济技术开发区管理委员会")
PRIVACY_OFFICER_CONTACT = env.str("PRIVACY_OFFICER_CONTACT", default="privacy@zone.example.cn")
# [J] Policy and law review (GB/T 35273-2020 11.1: review the policy regularly; follow changes of law).
POLICY_REVIEW_INTERVAL_MONTHS = env.int("POLICY_REVIEW_INTERVAL_MONTHS", default=12)
LAW_REVIEW_INTERVAL_MONTHS = env.int("LAW_REVIEW_INTERVAL_MONTHS", default=12)
REVIEW_NOTICE_DAYS = env.int("REVIEW_NOTICE_DAYS", default=30)  # remind this many days before a review is due
# [J] PIPL scorecard: row key -> (amber bound, red bound). Rows where lower is better are green below
# amber and red from the red bound on; coverage rows (percent, higher is better) the other way round.
# A row missing here uses the default written beside it in privacy/<concern>/scorecard.py.
SCORECARD_THRESHOLDS = {
    "13-consent": (95, 80),  # % of contacts asked, lowest consent-based purpose
    "15-withdrawals": (1, 1),  # shares made after the person withdrew
    "17-policy": (1, 1),  # days the policy review is overdue
    "19-retention": (2, 8),  # days since the last completed purge run
    "21-agreements": (1, 1),  # agreements in force missing required terms
    "23-shares": (1, 1),  # people provided without a separate consent
    "38-cross-border": (1, 1),  # cross-border agreements or shares without a mechanism
    "44-requests": (1, 3),  # open requests past their due date
    "51-encryption": (100, 100),  # % of declared personal fields encrypted
    "51-out-of-scope": (10, 50),  # out-of-scope (404) attempts in the last 30 days
    "54-audit": (1, 3),  # overdue rectifications
    "55-assessments": (1, 1),  # triggers without an in-date assessment, plus reviews overdue
}
# Consent ([E]): renewal window after a material policy change; data-subject request deadline
# (working days, PIPL practice 15); SMS sender for self-service links (a class path).
CONSENT_RENEWAL_GRACE_DAYS = env.int("CONSENT_RENEWAL_GRACE_DAYS", default=30)
# [H] data-subject requests: answer within SUBJECT_REQUEST_DAYS working days (the old name
# SUBJECT_REQUEST_DEADLINE_WORKING_DAYS is still read as a fallback), counted from "receipt" or
# "verification"; one extension; unverified requests and unanswered pauses close themselves;
# request records keep personal data SUBJECT_REQUEST_KEEP_DAYS days.
SUBJECT_REQUEST_DAYS = env.int(
    "SUBJECT_REQUEST_DAYS", default=env.int("SUBJECT_REQUEST_DEADLINE_WORKING_DAYS", default=15)
)
SUBJECT_REQUEST_DEADLINE_WORKING_DAYS = SUBJECT_REQUEST_DAYS  # the old name, kept for deployments that set it
SUBJECT_REQUEST_CLOCK_FROM = env.str("SUBJECT_REQUEST_CLOCK_FROM", default="receipt")
if SUBJECT_REQUEST_CLOCK_FROM not in ("receipt", "verification"):
    raise ImproperlyConfigured('SUBJECT_REQUEST_CLOCK_FROM must be "receipt" or "verification"')
SUBJECT_REQUEST_EXTENSION_DAYS = env.int("SUBJECT_REQUEST_EXTENSION_DAYS", default=15)
SUBJECT_REQUEST_REMIND_BEFORE_DAYS = env.int("SUBJECT_REQUEST_REMIND_BEFORE_DAYS", default=3)
SUBJECT_REQUEST_UNVERIFIED_CLOSE_DAYS = env.int("SUBJECT_REQUEST_UNVERIFIED_CLOSE_DAYS", default=7)
SUBJECT_REQUEST_PAUSE_CLOSE_DAYS = env.int("SUBJECT_REQUEST_PAUSE_CLOSE_DAYS", default=30)
SUBJECT_REQUEST_KEEP_DAYS = env.int("SUBJECT_REQUEST_KEEP_DAYS", default=730)
SUBJECT_REQUEST_CODE_MINUTES = env.int("SUBJECT_REQUEST_CODE_MINUTES", default=10)
SUBJECT_REQUEST_CODE_ATTEMPTS = env.int("SUBJECT_REQUEST_CODE_ATTEMPTS", default=3)
SUBJECT_REQUEST_PUBLIC_RATE_LIMIT_PER_HOUR = env.int("SUBJECT_REQUEST_PUBLIC_RATE_LIMIT_PER_HOUR", default=5)
SMS_BACKEND = env.str("SMS_BACKEND", default="privacy.sms.ConsoleSmsBackend" if DEBUG else "privacy.sms.NullSmsBackend")

# Audit ([D]): sealing batches, grace before sealing, anomaly rules, auditor workspace paging.
AUDIT_SEAL_BATCH_SIZE = env.int("AUDIT_SEAL_BATCH_SIZE", default=5000)
AUDIT_SEAL_GRACE_SECONDS = env.int("AUDIT_SEAL_GRACE_SECONDS", default=120)
ANOMALY_DENIED_THRESHOLD = env.int("ANOMALY_DENIED_THRESHOLD", default=5)
# [P] every prefix that holds records (privacy and audit too); token paths are never recorded.
AUDIT_DENIED_PATH_PREFIXES = env.list(
    "AUDIT_DENIED_PATH_PREFIXES", default=["/clients/", "/complaints/", "/privacy/", "/audit/", "/api/"]
)
AUDIT_PAGE_SIZE = env.int("AUDIT_PAGE_SIZE", default=50)
AUDIT_EXPORT_MAX_ROWS = env.int("AUDIT_EXPORT_MAX_ROWS", default=50000)

# Retention ([F]): rows per purge batch (each its own transaction; never more than 500); record ids a
# dry run keeps per rule for its preview.
PURGE_BATCH_SIZE = min(env.int("PURGE_BATCH_SIZE", default=500), 500)
# Milliseconds the purge sleeps between committed batches, to leave the web pages room.
PURGE_BATCH_PAUSE_MS = env.int("PURGE_BATCH_PAUSE_MS", default=0)
PURGE_PREVIEW_MAX_IDS = env.int("PURGE_PREVIEW_MAX_IDS", default=5000)

# REST API ([K]): API keys only on data endpoints, one error envelope, keyset pages, per-key limit.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["integrations.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["zhaoshang.core.api.permissions.IntegrationScope"],
    "DEFAULT_THROTTLE_CLASSES": ["integrations.throttling.ApiKeyRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "zhaoshang.core.api.pagination.IdCursorPagination",
    "DEFAULT_SCHEMA_CLASS": "zhaoshang.core.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "zhaoshang.core.api.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": api_text.TITLE,  # translated lazily: the schema speaks the reader's language
    "DESCRIPTION": api_text.DESCRIPTION,
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "persistAuthorization": False, "displayOperationId": False},
    "TAGS": api_text.TAGS,
    "ENUM_NAME_OVERRIDES": {"CurrencyEnum": "clients.models.choices.Currency"},
}
API_KEY_DEFAULT_DAYS = env.int("API_KEY_DEFAULT_DAYS", default=365)
API_KEY_MAX_DAYS = env.int("API_KEY_MAX_DAYS", default=730)
API_KEY_ROTATION_GRACE_HOURS = env.int("API_KEY_ROTATION_GRACE_HOURS", default=24)  # old key after a rotation
# Failed API key attempts per client address: after this many in a window, every key attempt from
# that address answers 429 until the window ends (slows guessing keys).
API_KEY_FAILURE_LIMIT = env.int("API_KEY_FAILURE_LIMIT", default=10)
API_KEY_FAILURE_WINDOW = env.int("API_KEY_FAILURE_WINDOW", default=600)
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=5)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)

# Notifications: age (days) of the retention rule that purges in-app notifications, set when the
# rule is first created; the privacy officer adjusts the rule in the admin console afterwards.
NOTIFICATION_KEEP_DAYS = env.int("NOTIFICATION_KEEP_DAYS", default=180)
# Default period of the webhook delivery retention rule, when the rule is first created (then: admin).
WEBHOOK_DELIVERY_KEEP_DAYS = env.int("WEBHOOK_DELIVERY_KEEP_DAYS", default=180)

# [J] Security incidents. Hours from detection within which an incident of each level must be reported
# to the regulator. 国家网络安全事件报告管理办法 (国家互联网信息办公室, in force 2025-11-01), 第四条: events
# of level 较大 and above are reported; an operator that is neither critical information infrastructure
# (第四条第二款: 1 hour, to its protection department and the police) nor a central or state organ
# (第四条第三款: 2 hours) reports to the provincial cyberspace administration within 4 hours at the latest.
# 一般 events need no report under the measure (None: no regulator deadline). A zone that operates
# critical information infrastructure sets 1 here.
INCIDENT_REPORT_HOURS = {
    "especially_major": env.int("INCIDENT_REPORT_HOURS_ESPECIALLY_MAJOR", default=4),  # 特别重大
    "major": env.int("INCIDENT_REPORT_HOURS_MAJOR", default=4),  # 重大
    "large": env.int("INCIDENT_REPORT_HOURS_LARGE", default=4),  # 较大
    "general": env.int("INCIDENT_REPORT_HOURS_GENERAL", default=None),  # 一般: not reportable
}
# PIPL Art. 57 asks that people be told "立即" (at once); this is the zone's own target, in hours
# from detection, against which the scorecard counts a notification as on time.
INCIDENT_NOTIFY_HOURS = env.int("INCIDENT_NOTIFY_HOURS", default=72)
INCIDENT_DRILL_MONTHS = env.int("INCIDENT_DRILL_MONTHS", default=12)  # PIPL Art. 51(5): drill at least yearly

# [J] Training. Revealing, exporting clear values and sharing need a current privacy training
# completion (privacy.training.gate); off in DEBUG so a first look needs no training records.
REVEAL_REQUIRES_TRAINING = env.bool("REVEAL_REQUIRES_TRAINING", default=not DEBUG)
TRAINING_EXPIRY_NOTICE_DAYS = env.int("TRAINING_EXPIRY_NOTICE_DAYS", default=30)

"""wikispiral settings: one module, driven by the environment.

Defaults give a working local site (SQLite, tasks run inline, mail on the console). Production
sets DEBUG=false and must then provide SECRET_KEY and ALLOWED_HOSTS; every helper below fails
loudly on a value it cannot read instead of guessing.
"""

import ipaddress
import os
from pathlib import Path
from typing import overload

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@overload
def env_str(name: str, default: str, *, required: bool = False) -> str: ...
@overload
def env_str(name: str, default: None = None, *, required: bool = False) -> str | None: ...
def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    """Read NAME, or the content of the file named by NAME_FILE (Docker/systemd secrets)."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_path!r} cannot be read: {exc}") from exc
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true/false, 1/0).")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_networks(name: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Comma-separated addresses or CIDR networks (10.0.0.0/8, ::1); default: none."""
    networks = []
    for item in env_list(name, []):
        try:
            networks.append(ipaddress.ip_network(item))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an address or network: {exc}"
            ) from exc
    return tuple(networks)


DEBUG = env_bool("DEBUG", True)
TESTING = env_bool("WIKISPIRAL_TESTING", False)

SECRET_KEY = (
    env_str("SECRET_KEY", required=not DEBUG) or "dev-only-insecure-key-never-use-in-production"
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = (env_str("SITE_URL", "http://127.0.0.1:8000") or "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "wikispiral.accounts",
    "wikispiral.wiki",
    "wikispiral.audit",
    "wikispiral.jobs",
    "wikispiral.notifications",
    "territories",
    "criteria",
    "syntheses",
    "projects",
    "wikispiral.movein",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "wikispiral.tenancy.TenantScopeMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Before anything reads the path or the form (sessions, the page cache, CSRF, the views).
    "wikispiral.edge.ControlCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files are served pre-compressed, and answered before this), and
    # outside the page cache (it stores bodies uncompressed; each answer is compressed anew,
    # with Django's BREACH mitigation: random padding in the gzip header). PDFs, archives and
    # media pass as they are.
    "wikispiral.edge.TextCompressionMiddleware",
    "wikispiral.wiki.middleware.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "wikispiral.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wikispiral.urls"
WSGI_APPLICATION = "wikispiral.wsgi.application"

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
                "wikispiral.context_processors.site",
                "wikispiral.context_processors.languages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        # Off by default (Django's default): the check costs one round trip on every request.
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", False),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and inline tasks write without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
# Without a broker every task runs inline, in the request, so a fresh checkout needs no services.
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis hands an unacknowledged task to another worker after this long: longer than the longest
# task's time limit (the nightly recompute, 30 minutes), or a running task would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# One queue unless told otherwise; tests start private workers on queues of their own.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
# A syntheses job that has held its pending scopes this long is presumed dead (its worker was
# killed) and the sweep gives them to another: longer than the job's time limit (300 s).
SYNTHESES_CLAIM_TIMEOUT_SECONDS = env_int("SYNTHESES_CLAIM_TIMEOUT_SECONDS", 360)
# Durable jobs (wikispiral/jobs): a running job's lease, renewed by a heartbeat every quarter of
# it (at most 5 s); a job whose worker died is taken back by the sweep once its lease is over.
# The lease is a sign of life, not a time limit: each kind's Celery time limit caps one run, and
# a run Celery stops stops its heartbeat too.
JOBS_LEASE_SECONDS = env_int("JOBS_LEASE_SECONDS", 60)
# A waiting job nobody claimed for this long (its message was lost) is sent again by the sweep.
JOBS_REQUEUE_AFTER_SECONDS = env_int("JOBS_REQUEUE_AFTER_SECONDS", 120)
# First wait before another attempt after a transient error; doubled each time, at most 300 s.
JOBS_RETRY_BASE_SECONDS = env_int("JOBS_RETRY_BASE_SECONDS", 10)
# Done jobs are forgotten after this many days, failed ones after the second number.
JOBS_KEEP_DONE_DAYS = env_int("JOBS_KEEP_DONE_DAYS", 30)
JOBS_KEEP_FAILED_DAYS = env_int("JOBS_KEEP_FAILED_DAYS", 90)
# Work left without a job (its job failed) is given a new one by the sweep after this long.
JOBS_ORPHAN_BACKOFF_SECONDS = env_int("JOBS_ORPHAN_BACKOFF_SECONDS", 900)
# Tests only: a job stops this long at its checkpoint, so a test can kill its worker mid-job.
JOBS_TEST_PAUSE_SECONDS = env_int("JOBS_TEST_PAUSE_SECONDS", 0) if TESTING else 0
# Project summaries: a change waits this long for others to join it in one recomputation.
PROJECT_SUMMARIES_DELAY_SECONDS = env_int("PROJECT_SUMMARIES_DELAY_SECONDS", 10)
# Notifications: an immediate digest waits this long for other changes to join it in one mail;
# a digest's cut-off stays this far behind the clock (a change is stamped when written and
# committed a moment later); changes are forgotten after this many days.
NOTIFICATIONS_IMMEDIATE_DELAY_SECONDS = env_int("NOTIFICATIONS_IMMEDIATE_DELAY_SECONDS", 120)
NOTIFICATIONS_SETTLE_SECONDS = env_int("NOTIFICATIONS_SETTLE_SECONDS", 60)
NOTIFICATIONS_KEEP_DAYS = env_int("NOTIFICATIONS_KEEP_DAYS", 90)
CELERY_BEAT_SCHEDULE: dict = {
    # Every job is recorded in the database: the sweep takes back what dead workers left, sends
    # again what a lost message left waiting, and gives a job to work that has none.
    "jobs-sweep": {"task": "wikispiral.jobs.tasks.jobs_sweep_task", "schedule": 60.0},
    "workshop-reminders": {"task": "projects.tasks.workshop_reminders_task", "schedule": 900.0},
    # A job mails those signed up to a network event's session a day before it.
    "event-reminders": {
        "task": "territories.events.tasks.event_reminders_task",
        "schedule": 900.0,
    },
    # Nightly, whatever changed: workshops held since count in their quarter's review.
    "project-summaries-nightly": {
        "task": "projects.tasks.summaries_nightly_task",
        "schedule": crontab(hour=3, minute=47),
    },
    "syntheses-nightly": {
        "task": "syntheses.tasks.syntheses_nightly_task",
        "schedule": crontab(hour=3, minute=17),
    },
    "evaluations-nightly": {
        "task": "projects.tasks.evaluations_nightly_task",
        "schedule": crontab(hour=3, minute=32),
    },
    # Digests of what changed in what people follow: early morning in Europe and Africa (times
    # in the mail are in each reader's zone); weekly ones on Monday.
    "notifications-daily": {
        "task": "wikispiral.notifications.tasks.digests_period_task",
        "schedule": crontab(hour=5, minute=7),
        "args": ("daily",),
    },
    "notifications-weekly": {
        "task": "wikispiral.notifications.tasks.digests_period_task",
        "schedule": crontab(hour=5, minute=22, day_of_week=1),
        "args": ("weekly",),
    },
}

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "wikispiral.cache.PooledRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "ws"),
            "TIMEOUT": 60 * 60 * 24,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "wikispiral",
            "TIMEOUT": 60 * 60 * 24,
        }
    }
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "wikispiral.accounts.backends.CachedModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "mine:home"
LOGOUT_REDIRECT_URL = "/"

# Reverse proxies whose X-Forwarded-For is believed (wikispiral.clientip). Default: none, so
# the socket address is the client and a forged header changes nothing.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")

# Login throttling, three limits over one 15-minute cool-off (wikispiral.accounts.lockout):
# 5 failures for one username from one address lock that pair (axes' own limit); 20 from one
# address over any usernames lock the address (password spraying); 50 for one username from
# any addresses lock the username. Failures while locked are not counted, so one address adds
# at most 5 to a username: locking someone out takes at least 10 addresses.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env_int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", 20)
LOGIN_FAILURE_LIMIT_PER_USERNAME = env_int("LOGIN_FAILURE_LIMIT_PER_USERNAME", 50)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "wikispiral.accounts.lockout.LoginLockoutHandler"
AXES_LOCKOUT_CALLABLE = "wikispiral.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "wikispiral.clientip.client_ip"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_VERBOSE = False

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("pt", _("Portuguese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_COOKIE_NAME = "wikispiral_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Files that must never be served: uploads waiting between preview and import, built exports.
# Shared by the web and the Celery worker.
PRIVATE_ROOT = Path(env_str("PRIVATE_ROOT", str(BASE_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
WIKI_ATTACHMENT_MAX_BYTES = env_int("WIKI_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# Each file the secretariat uploads to move the old Tiki site in (larger: the command).
MOVEIN_MAX_UPLOAD_BYTES = env_int("MOVEIN_MAX_UPLOAD_BYTES", 1024 * 1024 * 1024)

# Local runs print mail on the console; production sends through SMTP unless told otherwise.
_email_backend = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
_email_options: dict[str, object] = {}
if _email_backend == "django.core.mail.backends.smtp.EmailBackend":
    _email_options = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": env_int("EMAIL_TIMEOUT", 20),
    }
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "wikispiral <no-reply@wikispiral.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security: the same headers in every environment; HTTPS-only ones when DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
# No inline script or style anywhere: user markup can never run code even if sanitising failed.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
CSRF_FAILURE_VIEW = "wikispiral.views.csrf_failure"
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", [])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs some 40 INFO lines per PDF report.
        "weasyprint.progress": {"level": "WARNING"},
        # With tasks inline there is no broker: kombu's "No hostname was supplied" is noise.
        **({"kombu.connection": {"level": "ERROR"}} if CELERY_TASK_ALWAYS_EAGER else {}),
    },
}

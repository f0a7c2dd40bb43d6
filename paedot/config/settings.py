"""Settings for the paediatric OT case-management system.

One settings module for every place it runs: the environment decides (DATABASE_URL, SECRET_KEY, DEBUG,
ALLOWED_HOSTS, PORT, EMAIL_BACKEND). Helpers refuse bad values instead of guessing.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    # Local runs need a key too; a random one in a file under var/ keeps it stable and out of the repo.
    VAR_DIR.mkdir(exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs' Swagger UI from our own static files, not a CDN
    "django_tasks",  # the background task queue (a backport of Django 6's django.tasks); see docs/adr/004
    "django_tasks_db",  # its database backend: tasks wait in our own database for `manage.py db_worker`
    "paedot.core",
    "paedot.nhsuk_forms",
    "paedot.documents",
    "paedot.staff",
    "paedot.directory",
    "paedot.eligibility",
    "paedot.children",
    "paedot.referrals",
    "paedot.public",
    "paedot.letters",
    "paedot.triage",
    "paedot.waiting_list",
    "paedot.caseloads",
    "paedot.diaries",
    "paedot.appointments",
    "paedot.groups",
    "paedot.care",
    "paedot.casenotes",
    "paedot.advice",
    "paedot.reports",
    "paedot.restricted_records",
    "paedot.governance",
    "paedot.attention",
    "paedot.notifications",
    "paedot.alerts",
    "paedot.fhir",
    "paedot.demo",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "paedot.core.ratelimit.RateLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "paedot.core.middleware.NulCharacterMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "paedot.staff.middleware.TwoFactorMiddleware",
    "paedot.staff.middleware.IdleSessionMiddleware",
    "paedot.core.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "paedot.restricted_records.views.BreakGlassMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into our "account locked" page.
    "axes.middleware.AxesMiddleware",
]

# django-axes first, so a locked account is refused before its password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "paedot.config.urls"
WSGI_APPLICATION = "paedot.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "paedot.config.jinja2_env.environment"},
    },
    {
        # Django templates only for Django's own pages (error fallbacks); our pages are Jinja2.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise (PostgreSQL in production and CI).
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'paedot.sqlite3'}",
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of failing with "database is locked";
    # a file (not :memory:) for tests lets concurrent threads see one database, as in production.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    # One file per test run (by process), so two runs at once on one machine never share a test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("TEST", {})
else:
    raise ImproperlyConfigured("DATABASE_URL must point at SQLite or PostgreSQL.")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "staff.User"
LOGIN_URL = "staff:sign_in"
LOGIN_REDIRECT_URL = "referrals:inbox"
LOGOUT_REDIRECT_URL = "staff:sign_in"

# Argon2 for new and changed passwords (OWASP's first choice); older hashes still verify and are upgraded at sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"  # collectstatic target in production; WhiteNoise finds files in apps locally
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Uploaded files (scanned referral forms). Never served by URL: a view checks who may see each one.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(VAR_DIR / "media")))
REFERRAL_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = str(VAR_DIR / "outbox")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Paediatric OT Service <paediatric.ot@example.nhs.uk>")

# Background tasks (sending email and SMS): django-tasks with its database backend, run by `manage.py db_worker`
# (`make run` starts one). PAEDOT_TASKS_BACKEND=immediate runs each task at once in the process that queued it,
# with no worker (tests override TASKS with pytest-django's settings fixture instead). See docs/adr/004.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_tasks_backend = env_str("PAEDOT_TASKS_BACKEND", "database")
if _tasks_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"PAEDOT_TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, not {_tasks_backend!r}."
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_tasks_backend], "QUEUES": ["default"]}}

# SMS through GOV.UK Notify, only when both are set: otherwise text messages stay in the local outbox
# (notifications.Message, status "outbox_only"). The template's only placeholder is ((body)).
NOTIFY_API_KEY = env_str("NOTIFY_API_KEY", "")
NOTIFY_SMS_TEMPLATE_ID = env_str("NOTIFY_SMS_TEMPLATE_ID", "")
NOTIFY_BASE_URL = env_str("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
# The stable name of the service's own FHIR code systems and extensions (docs/fhir.md), not the address requests
# come to: set it to where the service publishes them.
PAEDOT_FHIR_CANONICAL_URL = env_str("PAEDOT_FHIR_CANONICAL_URL", "https://paediatric-ot.example.nhs.uk/fhir")

SESSION_COOKIE_HTTPONLY = True
# A staff session ends after 15 minutes without a request (children's records on a shared or unattended screen).
SESSION_COOKIE_AGE = 15 * 60
# The expiry moves on with use (paedot.staff.middleware.IdleSessionMiddleware, at most once a minute).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# HTTPS=true where the service is served over TLS (production, behind its proxy): secure cookies, HSTS and a
# redirect from http. Off by default so `make run` works on http://127.0.0.1. `manage.py check --deploy` is clean
# with DEBUG=false, HTTPS=true and a real SECRET_KEY (paedot/core/tests/test_web_surface.py proves it).
HTTPS = env_bool("HTTPS", default=False) or env_bool("SECURE_COOKIES", default=False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content Security Policy (django-csp): only our own scripts, styles, images and fonts; the one inline script
# (nhsuk-frontend's js-enabled switch) carries the per-request nonce; no framing, no plugins, forms post home.
# The browser journeys fail on any CSP refusal (paedot/tests/browser.py).
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        # The NHS typeface comes from the NHS's own asset server (nhsuk-frontend's stylesheet points there; the
        # Frutiger licence covers NHS services); if it cannot be reached, pages fall back to Arial.
        "font-src": [SELF, "https://assets.nhs.uk"],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Caches: Redis where REDIS_URL is set (shared by every worker: rate limits count across them), else this process.
REDIS_URL = env_str("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "paedot"}
    )
}
RATE_LIMIT_CACHE = "default"
# (name, methods, path pattern, requests, per seconds), counted per client address. The referral form posts once
# a page (about a dozen pages), so its allowance covers several families behind one school or surgery address.
RATE_LIMITS = [
    ("sign_in", "POST", r"^/staff/sign-in$", 20, 60),
    ("referral_form", "POST", r"^/refer/", 300, 3600),
    ("eligibility_checker", "GET|POST", r"^/check-if-we-can-help/", 300, 600),
    ("eligibility_api", "POST", r"^/api/eligibility$", 120, 60),
]

# django-axes: five wrong passwords for an account lock it for 15 minutes; a correct one resets the count.
import datetime as _dt  # noqa: E402

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = _dt.timedelta(minutes=15)
# Locked by account, not by address: staff share hospital and school addresses, and one person's typing should
# not lock a whole ward out. Guessing across many accounts from one address is held by the sign-in rate limit
# (RATE_LIMITS above), which is why axes' advice to lock by address (axes.W006) is silenced.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "paedot.staff.views.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# A two-factor code typed on the verify page is a secret too: axes keeps a failed request's form, masked by this.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]

# Two-factor sign-in for staff pages (paedot.staff.middleware.TwoFactorMiddleware): after the password, a code
# from an authenticator app (TOTP) or a single-use recovery code. Wrong codes count towards the axes lock-out above.
STAFF_TWO_FACTOR = env_bool("STAFF_TWO_FACTOR", default=True)
OTP_TOTP_ISSUER = "Paediatric OT (NHS)"  # the name people see for this account in their authenticator app

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# The service's own settings.
# Run each morning by the task worker (paedot/core/daily.py), or each as a management command from cron.
PAEDOT_DAILY_JOBS = [
    "paedot.waiting_list.services.process_invitations",
    "paedot.appointments.messages.send_appointment_reminders",
    "paedot.care.services.equipment.send_equipment_review_reminders",
    "paedot.reports.totals.refresh_daily",
    "paedot.attention.services.send_attention_digests",
]
PAEDOT_REFERENCE_LOADERS = [
    "paedot.diaries.services.load_term_dates",
    "paedot.diaries.services.load_default_locations",
    "paedot.advice.services.load_strategy_sheets",
]
PAEDOT_REFERENCE_DATA_DIR = BASE_DIR / "paedot" / "directory" / "data"

"""Django settings for Vigil, read from ``VIGIL_*`` environment variables.

See docs/operator-guide.md for every variable.

Development needs no configuration at all: SQLite under ``./var`` and the database task
backend. ``VIGIL_ENV=production`` makes the secret key and allowed hosts mandatory.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from vigil.env import env_bool, env_float, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
ENVIRONMENT = env_str("ENV", "development")
if ENVIRONMENT not in {"development", "production", "test"}:
    raise ImproperlyConfigured("VIGIL_ENV must be development, production or test")
PRODUCTION = ENVIRONMENT == "production"

DATA_DIR = Path(env_str("DATA_DIR", str(Path.cwd() / "var")) or "var").resolve()

_DEV_SECRET = "vigil-development-only-secret-key-do-not-use-in-production-0123456789"  # noqa: S105 - development only; production requires VIGIL_SECRET_KEY
SECRET_KEY = env_str("SECRET_KEY", None if PRODUCTION else _DEV_SECRET, required=PRODUCTION)
DEBUG = env_bool("DEBUG", default=ENVIRONMENT == "development")
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("VIGIL_ALLOWED_HOSTS must be set in production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "vigil.core",
    "vigil.indicators",
    "vigil.cases",
    "vigil.blocking",
    "vigil.intake",
    "vigil.collection",
]

MIDDLEWARE = [
    "vigil.blocking.middleware.BlockPageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "vigil.core.middleware.UploadLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "vigil.core.middleware.RequireTwoFactorMiddleware",
    "vigil.core.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vigil.urls"
WSGI_APPLICATION = "vigil.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "vigil.core.context_processors.vigil",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    default_url = f"sqlite:///{DATA_DIR / 'vigil.sqlite3'}"
    config: dict[str, object] = dict(
        dj_database_url.parse(env_str("DATABASE_URL", default_url) or default_url)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE transactions take the write lock up front, so concurrent writers wait
        # (busy_timeout) instead of failing half-way; this also serialises the audit chain.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"),
        }
    # Reusing connections saves opening one (and, for SQLite, running the PRAGMAs) per request.
    config["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
    config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": env_str("TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "periodic"],
    }
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 30, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
OTP_TOTP_ISSUER = env_str("TOTP_ISSUER", "Vigil")

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# Evidence: write-once, content-addressed files under this root.
EVIDENCE_ROOT = Path(env_str("EVIDENCE_ROOT", str(DATA_DIR / "evidence")) or "").resolve()
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 50 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = None

# Blocking engine: the shared snapshot and exports, the policy zone, the block page.
VIGIL_BLOCKLIST_DIR = Path(env_str("BLOCKLIST_DIR", str(DATA_DIR / "blocklist")) or "").resolve()
VIGIL_RPZ_ZONE = env_str("RPZ_ZONE", "rpz.vigil") or "rpz.vigil"
VIGIL_RPZ_POLICY = env_str("RPZ_POLICY", "cname") or "cname"
if VIGIL_RPZ_POLICY not in {"cname", "nxdomain"}:
    raise ImproperlyConfigured("VIGIL_RPZ_POLICY must be cname (block page) or nxdomain")
VIGIL_BLOCK_PAGE_HOST = env_str("BLOCK_PAGE_HOST", "blocked.vigil.invalid") or "blocked.vigil.invalid"
VIGIL_PUBLIC_URL = (env_str("PUBLIC_URL", "http://127.0.0.1:8000") or "").rstrip("/")
# Host names that are Vigil itself; a request for any other name is a blocked site's
# visitor sent here by the resolver's CNAME, and gets the block page.
VIGIL_OWN_HOSTS = [host.lstrip(".") for host in ALLOWED_HOSTS if host != "*"]

# Capture of web pages as evidence (docs/collection.md).
VIGIL_CAPTURE_RESOLVER = env_str("CAPTURE_RESOLVER", "") or ""  # "host[:port]"; empty: the system's
VIGIL_FETCH_ALLOW_LOOPBACK = env_bool("FETCH_ALLOW_LOOPBACK", False)  # tests only: allows 127.0.0.1
if PRODUCTION and VIGIL_FETCH_ALLOW_LOOPBACK:
    raise ImproperlyConfigured("VIGIL_FETCH_ALLOW_LOOPBACK is for tests only; never set it in production")
VIGIL_CAPTURE_BROWSER = env_str("CAPTURE_BROWSER", "auto") or "auto"  # auto, off, or a Chromium path
VIGIL_CAPTURE_USER_AGENT = env_str(
    "CAPTURE_USER_AGENT",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
)
VIGIL_CAPTURE_CRAWLER_USER_AGENT = env_str(
    "CAPTURE_CRAWLER_USER_AGENT",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
)
VIGIL_CAPTURE_MOBILE_USER_AGENT = env_str(
    "CAPTURE_MOBILE_USER_AGENT",
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36",
)
VIGIL_CAPTURE_TIMEOUT = env_int("CAPTURE_TIMEOUT", 20, minimum=1)  # seconds per fetch
VIGIL_CAPTURE_MAX_REDIRECTS = env_int("CAPTURE_MAX_REDIRECTS", 10, minimum=0)
VIGIL_CAPTURE_MAX_BYTES = env_int("CAPTURE_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)  # decompressed
VIGIL_CAPTURE_CONTENT_TYPES = env_list(
    "CAPTURE_CONTENT_TYPES",
    ["text/html", "application/xhtml+xml", "text/plain", "text/xml", "application/xml", "application/json"],
)
VIGIL_CAPTURE_SIGNING_KEY_FILE = Path(
    env_str("CAPTURE_SIGNING_KEY_FILE", str(DATA_DIR / "capture-signing-key.pem")) or ""
).resolve()
VIGIL_CAPTURE_COLLECTOR = env_str("CAPTURE_COLLECTOR", "") or ""  # default: vigil@<host name>
VIGIL_CAPTURE_AUTO = env_bool("CAPTURE_AUTO", True)  # capture new URLs on open cases by themselves
VIGIL_DETECTOR_PREFILL_SCORE = env_float("DETECTOR_PREFILL_SCORE", 0.8, minimum=0.0, maximum=1.0)
VIGIL_RERESOLVE_MINUTES = env_int("RERESOLVE_MINUTES", 60, minimum=1)

VIGIL_CASE_PREFIX = env_str("CASE_PREFIX", "VL") or "VL"
VIGIL_SITE_NAME = env_str("SITE_NAME", "Vigil") or "Vigil"

# Mail to reporters (status changes). Development writes mails to files under the data dir.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = DATA_DIR / "outbox"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_USER", "") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("EMAIL_FROM", "vigil@localhost") or "vigil@localhost"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 10, minimum=1) * 3600
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not from the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    if env_bool("BEHIND_TLS_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Set when a reverse proxy that overwrites X-Forwarded-For sits in front of Vigil.
VIGIL_TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)

"""Settings shared by every environment; values that differ come from the environment.

`DATABASE_URL` picks the database (default: an embedded SQLite file in the project
folder), `DJANGO_SECRET_KEY`, `DJANGO_DEBUG` and `DJANGO_ALLOWED_HOSTS` do what they say.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import dj_database_url
import dj_email_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)
# Development only: production.py refuses to start without DJANGO_SECRET_KEY.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # the built-in widget templates, for FORM_RENDERER below
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "csp",
    "django_tasks",
    "django_tasks_db",
    # Ours, in dependency order: core <- teams <- milestones <- focusboard, teams <- schedule,
    # teams <- tripwires.
    "core",
    "teams",
    "milestones",
    "focusboard",
    "schedule",
    "tripwires",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# Widgets render through TEMPLATES, so the project's templates/widgets/ are found.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database -----------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'focusboard.sqlite3'}"),
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so two writers serialise
    # on BEGIN instead of one failing with "database is locked" halfway through; the busy
    # timeout makes the second writer wait rather than error. WAL lets readers carry on.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ---------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- I18N / time ----------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"  # stored in UTC; shown in the viewer's (or the team's) zone
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Outside production the files are served from the app folders (finders); there is no
# collected STATIC_ROOT, which WhiteNoise would otherwise warn about on every start.
WHITENOISE_USE_FINDERS = True
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Security headers (tightened further in production.py) ----------------------------------
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# A strict policy everywhere, development included, so a violation shows up before
# production: no inline scripts or styles, no eval, nothing from another origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first so that an anonymous API client gets 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Focusboard API",
    "DESCRIPTION": (
        "Run an ML team the way experienced leads say it should be run: a hard-capped focus "
        "board, a nine-month vision, soft milestones, non-negotiables and a maker schedule. "
        "Rule conflicts answer 409 with {detail, code}."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status` or `kind`; name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "FocusItemStatusEnum": "focusboard.models.FocusStatus.choices",
        "FocusEventKindEnum": "focusboard.models.FocusEventKind.choices",
        "MeetingStatusEnum": "schedule.models.MeetingStatus.choices",
        "BusySourceKindEnum": "schedule.models.BusySourceKind.choices",
        "RoleEnum": "teams.models.Role.choices",
        "RuleCodeEnum": "core.rules.RuleCode",
        "VisionStatusEnum": "milestones.models.VisionStatus.choices",
        "ReviewOutcomeEnum": "milestones.models.Outcome.choices",
        "PrecisionEnum": "milestones.models.Precision.choices",
    },
}

# --- Focusboard -----------------------------------------------------------------------------
# How often a wall screen asks for fresh content (htmx polling of a partial).
FOCUSBOARD_WALL_POLL_SECONDS = int(os.environ.get("FOCUSBOARD_WALL_POLL_SECONDS", "30"))
# Networks the outgoing HTTP client (core/fetch.py) may reach although they are private
# or local. Empty: calendar addresses and webhooks reach the public internet only. The tests
# set it to reach their own server on 127.0.0.1.
FOCUSBOARD_FETCH_ALLOWED_NETWORKS: list[str] = []
# A deployment is one organisation: who may create teams. "anyone" signed in (the default) or
# "staff" only. Members of a deployment see each other's busy time as "busy", never titles.
FOCUSBOARD_TEAM_CREATION = os.environ.get("FOCUSBOARD_TEAM_CREATION", "anyone")
if FOCUSBOARD_TEAM_CREATION not in ("anyone", "staff"):
    raise ImproperlyConfigured('FOCUSBOARD_TEAM_CREATION is "anyone" or "staff".')
# How long an invitation into a team stays open.
FOCUSBOARD_INVITATION_DAYS = int(os.environ.get("FOCUSBOARD_INVITATION_DAYS", "7"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Feed and wall addresses carry a secret: the loggers that print paths mask it.
    "filters": {"mask_secrets": {"()": "core.logs.MaskSecretsFilter"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {
            "level": "INFO",
            "class": "logging.StreamHandler",
            "formatter": "django.server",
        },
    },
    "loggers": {
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["mask_secrets"],
        },
        "django.request": {"filters": ["mask_secrets"]},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Background work (invitations, notifications, calendar refreshes) goes through Django's
# tasks framework (the django-tasks backport). In development and tests a task runs at once,
# in the request's thread, after the transaction commits; production.py queues it in the
# database for `manage.py db_worker`. DJANGO_TASKS_BACKEND=database does that here too.
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS = {
    "default": {
        "BACKEND": _TASK_BACKENDS[os.environ.get("DJANGO_TASKS_BACKEND", "immediate")],
        "QUEUES": ["default"],
    }
}

# Email: printed on the console unless an SMTP server is configured, either as one URL
# (DJANGO_EMAIL_URL=submission://user:password@smtp.example.com:587, read by dj-email-url)
# or with the DJANGO_EMAIL_* variables below.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get(
    "DJANGO_DEFAULT_FROM_EMAIL", "Focusboard <focusboard@localhost>"
)
if os.environ.get("DJANGO_EMAIL_URL"):
    _email = dj_email_url.parse(os.environ["DJANGO_EMAIL_URL"])
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"] or EMAIL_HOST
    EMAIL_PORT = _email["EMAIL_PORT"] or EMAIL_PORT
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
    EMAIL_USE_TLS = bool(_email["EMAIL_USE_TLS"])
    EMAIL_USE_SSL = bool(_email["EMAIL_USE_SSL"])
    EMAIL_TIMEOUT = _email["EMAIL_TIMEOUT"] or EMAIL_TIMEOUT

# Links in emails (invitations) need the site's address; pages and feeds use the request's.
FOCUSBOARD_BASE_URL = os.environ.get("FOCUSBOARD_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

"""Settings shared by every environment; values that differ come from the environment.

`DATABASE_URL` picks the database (default: an embedded SQLite file in the project
folder), `DJANGO_SECRET_KEY`, `DJANGO_DEBUG` and `DJANGO_ALLOWED_HOSTS` do what they say.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

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
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "axes",
    # Single sign-on: allauth's social accounts; its own account pages are not mounted (see
    # config/urls.py). The three providers are always installed so their tables exist; a
    # provider is offered only when its client is configured below.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.microsoft",
    "allauth.socialaccount.providers.openid_connect",
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
    # Before CSRF, whose check reads a form body: a too-large body is refused unread.
    "core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.throttling.ApiGuessingMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # A database outage is a 503, not a 500 (the only process_exception here, so it runs
    # first whatever its place; axes has none).
    "core.outage.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
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
                "core.undo.undo_offer",
            ],
        },
    },
]

# Widgets render through TEMPLATES, so the project's templates/widgets/ are found.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"


# --- Database -----------------------------------------------------------------------------
def postgres_connections(environ: Mapping[str, str]) -> dict[str, Any]:
    """How app processes hold PostgreSQL connections (SQLite is left alone).

    By default a connection is kept for DJANGO_CONN_MAX_AGE seconds (60 in production) and
    checked before each request reuses it (CONN_HEALTH_CHECKS), so a database restart costs
    one reconnect, not an error. DJANGO_DB_POOL=<min>:<max> (e.g. 1:4) uses psycopg 3's
    connection pool instead (with CONN_HEALTH_CHECKS Django has the pool check each
    connection when it hands it out). After a database restart the pool reconnects with a
    growing back-off, so it recovers seconds later than persistent connections do (measured
    by `make loadtest`'s fault run); that is why it is not the default.
    DJANGO_DB_CONNECT_TIMEOUT (5 s) bounds a connect to a database that does not answer.
    """
    timeout = int(environ.get("DJANGO_DB_CONNECT_TIMEOUT", "5"))
    options: dict[str, Any] = {"connect_timeout": timeout}
    pool = environ.get("DJANGO_DB_POOL", "").strip()
    if not pool:
        return {"OPTIONS": options}
    try:
        low, _, high = pool.partition(":")
        min_size, max_size = int(low), int(high or low)
    except ValueError as exc:
        message = f"DJANGO_DB_POOL is <min>:<max>, e.g. 1:4, not {pool!r}."
        raise ImproperlyConfigured(message) from exc
    import psycopg_pool  # noqa: F401  (pinned; fail here, at start, if it is missing)

    options["pool"] = {
        "min_size": min_size,
        "max_size": max_size,
        # How long a request waits for a pooled connection before its 503: short, because
        # while the database is down every request would wait this long.
        "timeout": int(environ.get("DJANGO_DB_POOL_TIMEOUT", "3")),
    }
    # A pool and persistent connections exclude each other in Django.
    return {"OPTIONS": options, "CONN_MAX_AGE": 0}


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
else:
    DATABASES["default"].update(postgres_connections(os.environ))  # type: ignore[typeddict-item]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ---------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: it refuses a locked-out sign-in before any password is checked. Single sign-on
# needs no backend of its own: allauth logs the person in through ModelBackend.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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
        "teams.authentication.ApiTokenAuthentication",  # hashed, expiring keys
        "rest_framework.authentication.SessionAuthentication",
    ],
    # JSON with a size and a depth limit (core/parsers.py); forms and uploads as usual.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.errors.exception_handler",
    # Rates per client address (anonymous) and per person; see "Security and reliability".
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttling.AnonRateThrottle",
        "core.throttling.UserRateThrottle",
        "core.throttling.IngestRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("FOCUSBOARD_API_ANON_RATE", "120/min"),
        "user": os.environ.get("FOCUSBOARD_API_USER_RATE", "1200/min"),
        # Pipelines posting observations and criteria values: per token, generous.
        "ingest": os.environ.get("FOCUSBOARD_API_INGEST_RATE", "3000/min"),
        # Wrong API credentials (any `Authorization` header answered 401) per address.
        "auth_failure": os.environ.get("FOCUSBOARD_API_AUTH_FAILURE_RATE", "20/min"),
    },
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
# A mail server that does not answer must not hold a request for long (Django waits forever).
EMAIL_TIMEOUT = int(os.environ.get("DJANGO_EMAIL_TIMEOUT", "10"))
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

# --- Guessing is limited --------------------------------------------------------------------
# How many proxies in front of the app append to X-Forwarded-For. 0 (the default): the client
# address is REMOTE_ADDR, and X-Forwarded-For is ignored (anyone can write it). 1 behind one
# load balancer, and so on. Login lockout and API throttling both read the address this way.
FOCUSBOARD_TRUSTED_PROXIES = int(os.environ.get("FOCUSBOARD_TRUSTED_PROXIES", "0"))

# Login lockout (django-axes): after AXES_FAILURE_LIMIT failed sign-ins for one username, or
# from one address, that username or address is refused for the cool-down; each failure during
# the lockout starts the cool-down again. `manage.py axes_reset` lifts every lockout at once,
# `axes_reset_username <name>` / `axes_reset_ip <address>` one of them.
AXES_FAILURE_LIMIT = int(os.environ.get("FOCUSBOARD_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("FOCUSBOARD_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.throttling.client_ip"
# The database handler: lockouts hold across every app process and survive a restart.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Successful sign-ins are not logged in a table of their own (the session is enough).
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# The cache the API's rate counters live in. "locmem" (development default) counts in each
# process; "database" (production default) counts across every gunicorn worker and machine,
# in a table that `migrate` creates (and `manage.py createcachetable` re-creates).
_THROTTLE_CACHES = {
    "locmem": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "focusboard-throttle",
    },
    "database": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "focusboard_throttle_cache",
        # One row per person, address and token counted: far below this, so no culling.
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": _THROTTLE_CACHES[os.environ.get("FOCUSBOARD_THROTTLE_CACHE", "locmem")],
}

# --- Single sign-on (django-allauth) --------------------------------------------------------
# Off unless a provider's client is configured. Each provider's callback address is
# <FOCUSBOARD_BASE_URL>/accounts/sso/<provider>/login/callback/ (OpenID Connect:
# /accounts/sso/oidc/<id>/login/callback/); the README lists them.


def _sso_providers() -> dict[str, dict[str, Any]]:
    providers: dict[str, dict[str, Any]] = {}
    if os.environ.get("FOCUSBOARD_SSO_GOOGLE_CLIENT_ID"):
        providers["google"] = {
            "APPS": [
                {
                    "client_id": os.environ["FOCUSBOARD_SSO_GOOGLE_CLIENT_ID"],
                    "secret": os.environ.get("FOCUSBOARD_SSO_GOOGLE_SECRET", ""),
                }
            ],
            "SCOPE": ["openid", "email", "profile"],
        }
    if os.environ.get("FOCUSBOARD_SSO_MICROSOFT_CLIENT_ID"):
        providers["microsoft"] = {
            "APPS": [
                {
                    "client_id": os.environ["FOCUSBOARD_SSO_MICROSOFT_CLIENT_ID"],
                    "secret": os.environ.get("FOCUSBOARD_SSO_MICROSOFT_SECRET", ""),
                    # A tenant's id or domain, or "organizations" (any work account).
                    "settings": {
                        "tenant": os.environ.get("FOCUSBOARD_SSO_MICROSOFT_TENANT", "organizations")
                    },
                }
            ]
        }
    oidc_apps = []
    for provider_id in env_list("FOCUSBOARD_SSO_OIDC", []):
        key = provider_id.upper().replace("-", "_")
        server_url = os.environ.get(f"FOCUSBOARD_SSO_OIDC_{key}_SERVER_URL", "")
        client_id = os.environ.get(f"FOCUSBOARD_SSO_OIDC_{key}_CLIENT_ID", "")
        if not server_url or not client_id:
            raise ImproperlyConfigured(
                f"FOCUSBOARD_SSO_OIDC names {provider_id!r}: set "
                f"FOCUSBOARD_SSO_OIDC_{key}_SERVER_URL and FOCUSBOARD_SSO_OIDC_{key}_CLIENT_ID."
            )
        oidc_apps.append(
            {
                "provider_id": provider_id,
                "name": os.environ.get(f"FOCUSBOARD_SSO_OIDC_{key}_NAME", provider_id),
                "client_id": client_id,
                "secret": os.environ.get(f"FOCUSBOARD_SSO_OIDC_{key}_SECRET", ""),
                "settings": {"server_url": server_url},
            }
        )
    if oidc_apps:
        providers["openid_connect"] = {"APPS": oidc_apps}
    return providers


SOCIALACCOUNT_PROVIDERS = _sso_providers()
# Verified email addresses in these domains may create an account by signing in, without an
# invitation (e.g. "example.com"). Empty, the default: single sign-on creates accounts only
# through an invitation, and otherwise signs in people whose account exists.
FOCUSBOARD_SSO_SIGNUP_DOMAINS = [d.lower() for d in env_list("FOCUSBOARD_SSO_SIGNUP_DOMAINS", [])]

ACCOUNT_ADAPTER = "teams.sso.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "teams.sso.SocialAccountAdapter"
# An existing account is found by an email address the provider says it VERIFIED (Google's
# and OpenID Connect's `email_verified`); Microsoft Graph vouches for none, so a Microsoft
# sign-in finds only the accounts it signed in before. The first match connects the
# provider to the account; if the account's own address was never verified, its password is
# switched off (whoever typed that address must not keep a way in).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False  # the buttons POST (with CSRF); a GET shows a confirm page
SOCIALACCOUNT_STORE_TOKENS = False  # we need who the person is, not access to their data
SOCIALACCOUNT_OPENID_CONNECT_URL_PREFIX = "oidc"
# Django's users may share an address; allauth must not refuse or merge on that basis.
ACCOUNT_UNIQUE_EMAIL = False
ACCOUNT_EMAIL_VERIFICATION = "none"

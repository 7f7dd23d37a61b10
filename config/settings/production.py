"""Production settings: behind a TLS-terminating load balancer, stateless app processes,
one PostgreSQL (DATABASE_URL). DJANGO_SECRET_KEY has no default here on purpose."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import _TASK_BACKENDS, _THROTTLE_CACHES, env_bool, env_list

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY: production has no default secret key.")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [])

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Persistent connections (checked before reuse) unless told otherwise or pooled: a new
# PostgreSQL connection per request cost more than the request itself under load.
if "DJANGO_CONN_MAX_AGE" not in os.environ and "pool" not in DATABASES["default"].get(
    "OPTIONS", {}
):
    DATABASES["default"]["CONN_MAX_AGE"] = 60

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Background work is queued in the database and run by `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": _TASK_BACKENDS[os.environ.get("DJANGO_TASKS_BACKEND", "database")],
        "QUEUES": ["default"],
    }
}

# The API's rate counters are shared by every worker: in the database unless told otherwise.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": _THROTTLE_CACHES[os.environ.get("FOCUSBOARD_THROTTLE_CACHE", "database")],
}

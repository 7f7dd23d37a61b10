"""Test settings: fast hashing; the SQLite test database is a file so that threads and
processes in the concurrency tests really share it (an in-memory one would not)."""

from __future__ import annotations

import hashlib
import os

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{_worker}.sqlite3")}
else:
    # One shared server may run the suites of several checkouts at once (a developer and
    # a CI clone): name the test database after the checkout so they never collide.
    _checkout = hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:8]
    DATABASES["default"]["TEST"] = {"NAME": f"test_focusboard_{_checkout}_{_worker}"}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}

# Login lockout stays on (the database handler: each test's rollback or flush clears its
# failures, so none carry over). `client.login()` passes no request; see tests/axes_backend.py.
AUTHENTICATION_BACKENDS = [
    "tests.axes_backend.ClientLoginAxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# The suite's clients all come from one address and some tests fire requests in bursts: the
# API's rates are raised here; tests/core/test_throttling.py runs with the real ones.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        "anon": "100000/min",
        "user": "100000/min",
        "ingest": "100000/min",
        "auth_failure": "100000/min",
    },
}

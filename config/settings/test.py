"""Test settings: fast hashing; the SQLite test database is a file so that threads and
processes in the concurrency tests really share it (an in-memory one would not)."""

from __future__ import annotations

import os

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{worker}.sqlite3")}

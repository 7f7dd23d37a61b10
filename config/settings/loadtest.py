"""`make loadtest` and its fault run: the production settings, served over plain HTTP on
loopback to a load generator on the same machine. Only what loopback HTTP needs differs:
no HTTPS redirect or HSTS, and cookies without the Secure flag (a client does not send a
Secure cookie over http://). The orchestrator passes a throwaway DJANGO_SECRET_KEY.
"""

from __future__ import annotations

import os
from pathlib import Path

from .production import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# collectstatic writes here, not into the checkout's staticfiles/.
STATIC_ROOT = Path(os.environ.get("LOADTEST_STATIC_ROOT", str(STATIC_ROOT)))
# Off by default: logins use production's hasher and are measured apart from the load.
# LOADTEST_CHEAP_HASHER=1 makes them cheap, to see how much they cost the first seconds.
if os.environ.get("LOADTEST_CHEAP_HASHER") == "1":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

"""Project-level guarantees: production settings pass `check --deploy`, the OpenAPI schema
validates without warnings, /healthz answers, and the demo seed is idempotent."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from teams.models import Membership, Team

ROOT = Path(__file__).resolve().parent.parent


# Variables a child Python needs to run at all; nothing else of the caller's environment is
# passed on (see _manage).
_PASS_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
# Generous: a cold start in a fresh clone on a loaded two-core machine (compiling every
# module, next to browser tests and PostgreSQL) takes far longer than the usual second.
_MANAGE_TIMEOUT = 300


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run manage.py in a child with only the given settings environment.

    Nothing is inherited beyond _PASS_THROUGH: the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE
    in this process (which `check --deploy` rightly rejects), the suite's DATABASE_URL,
    PYTHON* or FOCUSBOARD_* variables could change what production settings load, and none
    of them exists in production.
    """
    base = {k: os.environ[k] for k in _PASS_THROUGH if k in os.environ}
    command = ["manage.py", *args]
    try:
        return subprocess.run(  # noqa: S603
            [sys.executable, *command],
            cwd=ROOT,
            env={**base, "PYTHONDONTWRITEBYTECODE": "1", **env},
            capture_output=True,
            text=True,
            timeout=_MANAGE_TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(
            f"`{' '.join(command)}` did not finish within {_MANAGE_TIMEOUT} s: the machine is "
            f"overloaded or something at import time waits (network, a lock). Output so far:\n"
            f"{exc.stdout or ''}{exc.stderr or ''}"
        )


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": "focus.example.com",
}
_ISSUE = re.compile(r"^\S.*?: \((\w+\.\w+)\) (.+)$", re.MULTILINE)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    # A database of its own (never opened by the check), not the suite's DATABASE_URL.
    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}"}
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION_ENV, **database}
    )
    issues = _ISSUE.findall(result.stdout + result.stderr)
    if result.returncode != 0 or "no issues" not in result.stdout:
        reasons = "; ".join(f"{code}: {text}" for code, text in issues) or "no check issue found"
        pytest.fail(
            f"`manage.py check --deploy` with production settings exited {result.returncode} "
            f"({reasons}). A security warning means config/settings/production.py (or an app "
            f"it installs) misses a setting; a traceback means the settings do not load.\n"
            f"--- stdout ---\n{result.stdout}--- stderr ---\n{result.stderr}"
        )


def test_production_refuses_to_start_without_secret_key():
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.production"}
    for secret in ({}, {"DJANGO_SECRET_KEY": ""}):  # missing, and empty
        result = _manage("check", env={**env, **secret})
        assert result.returncode != 0
        assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_openapi_schema_validates_without_warnings(db, capsys):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", os.devnull)


def test_schema_and_docs_are_served_locally(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/teams/{team_slug}/members/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    body = docs.content.decode()
    assert "drf_spectacular_sidecar" in body  # Swagger UI from our own static files
    assert "cdn" not in body.lower()
    assert "<script>" not in body  # no inline script: the CSP holds here too


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_security_headers(client, db):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    for directive in (
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_seed_demo_is_idempotent(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (Team.objects.count(), Membership.objects.count())
    call_command("seed_demo")
    assert (Team.objects.count(), Membership.objects.count()) == counts
    lead = Membership.objects.get(team__slug="demo", role="lead").user
    assert lead.check_password("focusboard-demo")


def test_seed_demo_refuses_without_debug_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
    assert not Team.objects.filter(slug="demo").exists()
    call_command("seed_demo", "--force")
    assert Team.objects.filter(slug="demo").exists()


def test_favicon_is_served_for_pages_without_an_icon_link(client, db):
    response = client.get("/favicon.ico", follow=True)
    assert response.redirect_chain == [("/static/favicon.svg", 301)]
    assert response.status_code == 200


def test_email_timeout_comes_from_the_environment():
    """DJANGO_EMAIL_TIMEOUT (README) decides how long a request waits for the mail server."""
    shown = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.EMAIL_TIMEOUT)",
        env={**PRODUCTION_ENV, "DJANGO_EMAIL_TIMEOUT": "3"},
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip().splitlines()[-1] == "3"

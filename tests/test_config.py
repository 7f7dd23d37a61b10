"""Project-level guarantees: production settings pass `check --deploy`, the OpenAPI schema
validates without warnings, /healthz answers, and the demo seed is idempotent."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from teams.models import Membership, Team

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # A clean environment: the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process,
    # which `check --deploy` rightly rejects; production never has it.
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "focus.example.com",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


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

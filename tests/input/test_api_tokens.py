"""Issue #14, "Guessing is limited": API tokens are stored hashed, may expire, remember when
they were last used, and each person creates, sees and revokes their own at /me/tokens/."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from teams import services
from teams.models import ApiToken
from tests.conftest import TeamPeople

pytestmark = pytest.mark.django_db

TEAM = "/api/v1/teams/ml/"


def with_key(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def page(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def all_database_text() -> str:
    """Every value of every column of the token table, as text."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM teams_apitoken")
        return repr(cursor.fetchall())


def test_a_token_made_on_the_page_works_once_shown_and_is_stored_hashed(people: TeamPeople):
    client = page(people.member)
    response = client.post("/me/tokens/", {"name": "laptop", "expires": "30"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    key = re.search(r'id="new-token" type="text" readonly value="([^"]+)"', html).group(1)
    assert len(key) >= 40
    assert key not in all_database_text()
    assert hashlib.sha256(key.encode()).hexdigest() in all_database_text()
    assert with_key(key).get(TEAM).json()["role"] == "member"
    # Shown once: the list shows the name, never the key again.
    again = client.get("/me/tokens/").content.decode()
    assert "laptop" in again and key not in again
    token = ApiToken.objects.get()
    assert token.expires_at is not None
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)


def test_last_used_is_recorded_and_listed(people: TeamPeople):
    token, key = services.api_token_create(user=people.member, name="bot")
    assert token.last_used_at is None
    assert with_key(key).get(TEAM).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert "ago" in page(people.member).get("/me/tokens/").content.decode()


def test_expired_and_revoked_tokens_are_401(people: TeamPeople):
    expired, expired_key = services.api_token_create(user=people.member, name="old", days=1)
    revoked, revoked_key = services.api_token_create(user=people.member, name="gone")
    _, live_key = services.api_token_create(user=people.member, name="live")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = page(people.member).post(f"/me/tokens/{revoked.pk}/revoke/")
    assert response.status_code == 302
    assert with_key(expired_key).get(TEAM).status_code == 401
    assert "expired" in with_key(expired_key).get(TEAM).json()["detail"]
    assert with_key(revoked_key).get(TEAM).status_code == 401
    assert with_key("x" * 43).get(TEAM).status_code == 401
    assert with_key(live_key).get(TEAM).status_code == 200  # positive control
    focus = Client(HTTP_AUTHORIZATION=f"Token {revoked_key}").get("/t/ml/focus.txt")
    assert focus.status_code == 401
    ok = Client(HTTP_AUTHORIZATION=f"Token {live_key}").get("/t/ml/focus.txt")
    assert ok.status_code == 200


def test_nobody_revokes_or_sees_someone_elses_token(people: TeamPeople):
    token, key = services.api_token_create(user=people.lead, name="lead's")
    client = page(people.member)
    assert client.post(f"/me/tokens/{token.pk}/revoke/").status_code == 404
    assert "lead&#x27;s" not in client.get("/me/tokens/").content.decode()
    assert with_key(key).get(TEAM).status_code == 200


def test_a_bad_form_is_a_400_with_the_reason(people: TeamPeople):
    response = page(people.member).post("/me/tokens/", {"name": "", "expires": "forever"})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_page_needs_a_login(db):
    response = Client().get("/me/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_command_prints_a_working_token(people: TeamPeople):
    out = StringIO()
    call_command("create_api_token", "viewer", "--name", "ci", stdout=out)
    key = out.getvalue().strip()
    assert with_key(key).get(TEAM).json()["role"] == "viewer"
    assert ApiToken.objects.get().name == "ci"
    assert key not in all_database_text()


@pytest.mark.django_db(transaction=True)
def test_the_migration_hashes_old_plain_text_keys(people: TeamPeople):
    from django.apps import apps as global_apps
    from django.db.migrations.executor import MigrationExecutor

    plain = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created timestamp with time zone, user_id bigint)"
            if connection.vendor == "postgresql"
            else "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created datetime, user_id bigint)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)",
            [plain, timezone.now(), people.lead.pk],
        )
    try:
        executor = MigrationExecutor(connection)
        executor.migrate([("teams", "0005_text_limits")])
        executor.loader.build_graph()
        executor.migrate([("teams", "0006_api_tokens")])
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM authtoken_token")
            assert cursor.fetchone()[0] == 0  # no plain-text key is left behind
        # The rest of the schema as it is now (later migrations add columns the API reads).
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        assert with_key(plain).get(TEAM).json()["role"] == "lead"
        assert plain not in all_database_text()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS authtoken_token")
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
        global_apps.clear_cache()

"""API throttling: per-person and anonymous rates, a generous per-token rate for pipelines,
and guessing API credentials ends in 429 quickly. Answers are 429 with Retry-After and a
JSON sentence. The suite's settings raise the rates; these tests run with the real ones."""

from __future__ import annotations

import secrets

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings
from rest_framework.test import APIClient

from config.settings import base
from teams.services import api_token_create
from tests.conftest import TeamPeople

pytestmark = pytest.mark.django_db

REAL = base.REST_FRAMEWORK


def with_rates(**rates: str):  # type: ignore[no-untyped-def]
    return override_settings(
        REST_FRAMEWORK={
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**REAL["DEFAULT_THROTTLE_RATES"], **rates},
        }
    )


@pytest.fixture(autouse=True)
def fresh_counters():
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


def assert_throttled(response) -> int:  # type: ignore[no-untyped-def]
    assert response.status_code == 429, response.content
    body = response.json()
    wait = int(response["Retry-After"])
    assert 1 <= wait <= 3600
    assert body["code"] == "throttled" and body["retry_after"] == wait
    assert f"wait {wait} second" in body["detail"] and body["detail"].endswith("try again.")
    return wait


def test_real_rates_are_sane_for_the_load_test():
    """20 editors, 50 wall screens and 10 feed clients on one machine: walls and feeds are
    not API views; an editor makes a few API requests a second at most."""
    rates = REAL["DEFAULT_THROTTLE_RATES"]
    assert rates == {
        "anon": "120/min",
        "user": "1200/min",
        "ingest": "3000/min",
        "auth_failure": "20/min",
    }
    assert REAL["DEFAULT_THROTTLE_CLASSES"] == [
        "core.throttling.AnonRateThrottle",
        "core.throttling.UserRateThrottle",
        "core.throttling.IngestRateThrottle",
    ]


@with_rates()
def test_token_guessing_ends_in_429_quickly_with_real_rates(people: TeamPeople):
    guesser = APIClient(REMOTE_ADDR="6.6.6.6")
    answers = []
    for _ in range(25):
        guesser.credentials(HTTP_AUTHORIZATION=f"Token {secrets.token_hex(20)}")
        answers.append(guesser.get("/api/v1/teams/").status_code)
    assert answers[:20] == [401] * 20 and answers[20:] == [429] * 5
    # Even the right token from that address waits: no credential is checked while refused.
    _, good = api_token_create(user=people.lead, name="laptop")
    guesser.credentials(HTTP_AUTHORIZATION=f"Token {good}")
    wait = assert_throttled(guesser.get("/api/v1/teams/"))
    assert 50 <= wait <= 60
    assert "wrong API credentials" in guesser.get("/api/v1/teams/").json()["detail"]
    # Another address, and the same person with no guessing behind them, are not affected.
    other = APIClient(REMOTE_ADDR="7.7.7.7")
    other.credentials(HTTP_AUTHORIZATION=f"Token {good}")
    assert other.get("/api/v1/teams/").status_code == 200


@with_rates()
def test_pipeline_token_guessing_is_limited_too(people: TeamPeople):
    guesser = APIClient(REMOTE_ADDR="6.6.6.7")
    for _ in range(20):
        guesser.credentials(HTTP_AUTHORIZATION=f"Bearer {secrets.token_urlsafe(32)}")
        assert guesser.post("/api/v1/teams/ml/tripwires/1/observations/", {}).status_code == 401
    assert_throttled(guesser.post("/api/v1/teams/ml/tripwires/1/observations/", {}))


@with_rates()
def test_anonymous_requests_without_credentials_are_not_counted_as_guesses():
    anonymous = APIClient(REMOTE_ADDR="6.6.6.8")
    assert {anonymous.get("/api/v1/teams/").status_code for _ in range(30)} == {401}


@with_rates(user="5/min")
def test_a_person_over_their_rate_gets_429_and_retry_after(people: TeamPeople, as_user):
    client = as_user(people.member)
    assert [client.get("/api/v1/teams/").status_code for _ in range(5)] == [200] * 5
    wait = assert_throttled(client.get("/api/v1/teams/"))
    assert 50 <= wait <= 60
    # Counted per person: the lead, from the same address, is not throttled.
    assert as_user(people.lead).get("/api/v1/teams/").status_code == 200


@with_rates(anon="2/min")
def test_an_anonymous_client_over_its_rate_gets_429():
    # The API's schema is open to anyone and costly to build: the anonymous rate guards it.
    anonymous = APIClient(REMOTE_ADDR="6.6.6.9")
    schema = "/api/schema/?format=json"
    assert [anonymous.get(schema).status_code for _ in range(2)] == [200, 200]
    assert_throttled(anonymous.get(schema))
    assert APIClient(REMOTE_ADDR="6.6.6.10").get(schema).status_code == 200


@with_rates(ingest="3/min", anon="1/min")
def test_pipelines_count_per_token_on_the_ingest_rate(people: TeamPeople):
    from tripwires import services

    tripwire = services.tripwire_create(
        team=people.team,
        actor=people.lead,
        name="CTR",
        metric="click-through rate",
        unit="%",
        reference_window=7,
        expected_interval_hours=24 * 31,
    )
    url = f"/api/v1/teams/ml/tripwires/{tripwire.pk}/observations/"
    pipelines = []
    for _ in range(2):
        secret = services.ingest_token_issue(tripwire=tripwire, actor=people.lead)[1]
        client = APIClient(REMOTE_ADDR="10.1.1.1")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        pipelines.append(client)
    body = {"observations": [{"at": "2026-01-01T00:00:00Z", "value": 1.0}]}
    # Not the anonymous rate (1/min): three posts from one token pass.
    answers = [pipelines[0].post(url, body, format="json").status_code for _ in range(3)]
    assert 429 not in answers, answers
    assert_throttled(pipelines[0].post(url, body, format="json"))
    # Another token from the same machine has its own allowance.
    assert pipelines[1].post(url, body, format="json").status_code != 429


def test_production_counts_in_the_database_so_every_worker_sees_the_same_count(
    people: TeamPeople, as_user
):
    from django.core.management import call_command
    from django.db import connection

    shared = {
        "default": settings.CACHES["default"],
        "throttle": base._THROTTLE_CACHES["database"],
    }
    with override_settings(CACHES=shared), with_rates(user="2/min"):
        call_command("createcachetable", verbosity=0)
        client = as_user(people.member)
        assert [client.get("/api/v1/teams/").status_code for _ in range(2)] == [200, 200]
        assert_throttled(client.get("/api/v1/teams/"))
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM focusboard_throttle_cache")
            assert cursor.fetchone()[0] >= 1
        caches["throttle"].clear()


def test_a_throttle_without_a_rate_is_a_configuration_error_not_unlimited(settings):
    from django.core.exceptions import ImproperlyConfigured

    from core.throttling import UserRateThrottle

    rates = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
    del rates["user"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    with pytest.raises(ImproperlyConfigured, match="'user'"):
        UserRateThrottle()

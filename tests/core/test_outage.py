"""A database that stops answering is a 503 with a sentence and Retry-After, never a 500
traceback: pages, the API, the wall screen's partial and /healthz. (The real restart, with
PostgreSQL stopped and started under gunicorn, is `make loadtest`'s fault run.)"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import RequestFactory

from core import outage
from focusboard.services import kiosk_token_create
from tests.conftest import TeamPeople


@contextmanager
def database_down(
    exc: type[Exception] = OperationalError,
    message: str = "connection to server at 127.0.0.1 failed: Connection refused",
) -> Iterator[None]:
    def refuse(*args: object, **kwargs: object) -> None:
        raise exc(message)

    with (
        mock.patch.object(CursorWrapper, "execute", refuse),
        mock.patch.object(CursorWrapper, "executemany", refuse),
    ):
        yield


def assert_clean_503(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 503, response.content[:300]
    assert response["Retry-After"] == str(outage.RETRY_AFTER_SECONDS)
    assert b"Traceback" not in response.content


@pytest.mark.parametrize("exc", [OperationalError, InterfaceError])
def test_a_page_is_a_503_page_with_a_sentence(people: TeamPeople, client, exc):
    client.force_login(people.member)
    assert client.get("/t/ml/").status_code == 200  # positive control
    with database_down(exc):
        response = client.get("/t/ml/")
    assert_clean_503(response)
    assert response["Content-Type"].startswith("text/html")
    assert b"Back in a moment" in response.content
    assert b"try again in a few seconds" in response.content


def test_the_api_is_a_503_json_with_a_code(people: TeamPeople, as_user):
    api = as_user(people.member)
    assert api.get("/api/v1/teams/ml/focus-items/").status_code == 200
    with database_down():
        response = api.get("/api/v1/teams/ml/focus-items/")
        write = api.post("/api/v1/teams/ml/focus-items/", {"title": "x"}, format="json")
    for answer in (response, write):
        assert_clean_503(answer)
        assert answer.json() == {"detail": outage.SENTENCE, "code": "database_unavailable"}


def test_the_wall_screen_partial_is_a_503_it_retries(people: TeamPeople, client):
    _, secret = kiosk_token_create(team=people.team, actor=people.lead, label="Room")
    url = f"/wall/{secret}/content/"
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
    with database_down():
        response = client.get(url, HTTP_HX_REQUEST="true")
    assert_clean_503(response)


def test_healthz_says_503_when_the_database_does_not_answer(db, client):
    assert client.get("/healthz").status_code == 200
    with database_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {"status": "database unavailable"}


def test_an_outage_outside_a_view_is_a_503_and_other_errors_stay_500(db):
    request = RequestFactory().get("/t/ml/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        assert sys.exc_info()[0] is OperationalError
        assert outage.server_error(request).status_code == 503
    try:
        raise ValueError("a bug")
    except ValueError:
        assert outage.server_error(request).status_code == 500


# What SQLite says when the schema is behind the code (a migration not applied) or the SQL is
# wrong: OperationalError like an outage, but a bug, and a retry would never help.
SCHEMA_ERRORS = [
    "no such column: focusboard_focusitem.outcome",
    "no such table: focusboard_focusitem",
    "table focusboard_focusitem has no column named outcome",
    'near "SELEC": syntax error',
]


@pytest.mark.parametrize("message", SCHEMA_ERRORS)
def test_a_schema_error_is_a_500_with_its_traceback_not_an_outage(
    people: TeamPeople, client, message
):
    client.force_login(people.member)
    client.raise_request_exception = False
    with database_down(message=message):
        response = client.get("/t/ml/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    request = RequestFactory().get("/t/ml/")
    try:
        raise OperationalError(message)
    except OperationalError:
        assert outage.server_error(request).status_code == 500


def test_the_handler_is_installed():
    from config import urls

    assert urls.handler500 == "core.outage.server_error"


def resilient_worker():  # type: ignore[no-untyped-def]
    from core.management.commands import task_worker

    return task_worker.ResilientWorker(
        queue_names=["default"],
        interval=0,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="w",
        excluded_queue_names=[],
    )


def test_the_task_worker_waits_out_an_outage_instead_of_exiting(monkeypatch):
    from django_tasks_db.management.commands import db_worker

    from core.management.commands import task_worker

    calls: list[str] = []

    def run_once(self) -> None:  # type: ignore[no-untyped-def]
        calls.append("run")
        if calls.count("run") < 3:
            raise OperationalError("connection to server failed: Connection refused")

    monkeypatch.setattr(db_worker.Worker, "run", run_once)
    monkeypatch.setattr(task_worker.time, "sleep", lambda seconds: calls.append("sleep"))
    worker = resilient_worker()
    worker.run()
    assert calls == ["run", "sleep", "run", "sleep", "run"]
    # A shutdown asked for meanwhile is not swallowed.
    worker.running = False
    calls.clear()
    with pytest.raises(OperationalError):
        worker.run()


@pytest.mark.parametrize("message", SCHEMA_ERRORS)
def test_the_task_worker_stops_on_a_schema_error_instead_of_retrying_forever(monkeypatch, message):
    from django_tasks_db.management.commands import db_worker

    from core.management.commands import task_worker

    calls: list[str] = []

    def run_once(self) -> None:  # type: ignore[no-untyped-def]
        calls.append("run")
        raise OperationalError(message)

    monkeypatch.setattr(db_worker.Worker, "run", run_once)
    monkeypatch.setattr(task_worker.time, "sleep", lambda seconds: calls.append("sleep"))
    worker = resilient_worker()
    with pytest.raises(OperationalError):
        worker.run()
    assert calls == ["run"]

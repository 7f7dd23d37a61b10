"""The simulated people of `make loadtest` (run headless by bench/loadtest/run.py).

* 50 wall screens, each polling its team's wall partial every 2 s with a kiosk address;
* 20 editors (a lead and a member per team) using the API with their session: the board's
  list, park/activate, add/finish, and booking a meeting (slot proposals, book, cancel);
* 10 calendar clients polling a team feed with If-None-Match / If-Modified-Since;
* 10 readers opening the board and the schedule pages;
* 1 person uploading each hostile calendar of the review once while the rest runs.

Everyone signs in once (sessions are reused). Nobody sends load until everyone is signed in;
then the statistics start and the run lasts LOADTEST_SECONDS. Every request is recorded with
its kind and written to LOADTEST_RESULT as JSON for run.py to summarise.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import gevent
from gevent.event import Event
from locust import FastHttpUser, between, constant, constant_pacing, events, task
from urllib3 import encode_multipart_formdata

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.schedule.hostile import HOSTILE_FILES

DATA: dict[str, Any] = json.loads(Path(os.environ["LOADTEST_DATA"]).read_text())
SECONDS = float(os.environ.get("LOADTEST_SECONDS", "60"))
RESULT = Path(os.environ["LOADTEST_RESULT"])
WALL_POLL_SECONDS = 2.0

# Expected refusals are answers, not errors: a full board (409 focus_cap_reached), a slot
# another editor just took (409 slot_conflict), an item the other editor just parked.
ACCEPTED: dict[str, set[int]] = {
    "API add": {201, 409},
    "API activate": {200, 409},
    # Both editors of a team may pick the same item: the second park is 409 invalid_transition.
    "API park": {200, 409},
    "API book": {201, 409},
    "feed": {200, 304},
}

ready = Event()
hostile_done = Event()
signed_in = itertools.count(1)
measured: dict[str, Any] = {"started": None, "ended": None, "requests": [], "logins": []}


def total_users() -> int:
    return sum(cls.fixed_count for cls in (WallScreen, Editor, CalendarClient, Reader, Hostile))


def arrived() -> None:
    """One more simulated person is ready; the last one starts the measured run."""
    if next(signed_in) == total_users():
        measured["started"] = time.time()
        ready.set()
        gevent.spawn_later(SECONDS, stop)


def start_in_turn(spread: float) -> None:
    """Wait for everyone to sign in, then a random share of `spread` seconds (the person's
    own pace): people, screens and calendar apps are not in step. Starting all 91 on the
    same instant measured a burst nobody sends (p95 of every page then came from 0.4 s in)."""
    ready.wait()
    gevent.sleep(random.random() * spread)


def stop() -> None:
    measured["ended"] = time.time()
    # Every hostile file is uploaded even in a short run; the others keep running meanwhile.
    hostile_done.wait(timeout=120)
    RESULT.write_text(json.dumps(measured))
    runner = events_environment.get("runner")
    if runner is not None:
        runner.quit()


events_environment: dict[str, Any] = {}


@events.init.add_listener
def remember(environment: Any, **kwargs: Any) -> None:
    events_environment["runner"] = environment.runner


@events.request.add_listener
def record(
    request_type: str,
    name: str,
    response_time: float,
    exception: BaseException | None,
    response: Any = None,
    **kwargs: Any,
) -> None:
    if name == "login":
        measured["logins"].append([response_time, exception is None])
        return
    hostile = name.startswith("hostile ")
    if not ready.is_set() or (measured["ended"] is not None and not hostile):
        return
    status = getattr(response, "status_code", None)
    failure = None if exception is None else f"{status}: {str(exception)[:200]}"
    # When the request ended, in seconds into the measured run: a slow tail that clusters in
    # time is contention (a burst, a hostile upload), one spread out is the view's own cost.
    at = time.time() - measured["started"]
    measured["requests"].append([name, response_time, failure, round(at, 2)])


class Person(FastHttpUser):
    abstract = True
    # Loopback with a generous bound: a request slower than this is an error, not a wait.
    # (31 logins at once at production's hasher cost take ~5 s of CPU on an idle two-core
    # machine, and half a minute on a busy one: they happen before the measured run.)
    network_timeout = 60.0
    connection_timeout = 10.0

    def csrf_token(self) -> str:
        for cookie in self.client.cookiejar:
            if cookie.name == "csrftoken":
                return str(cookie.value)
        return ""

    def sign_in(self, username: str) -> None:
        self.client.get("/accounts/login/", name="login page")
        form = {
            "username": username,
            "password": DATA["password"],
            "csrfmiddlewaretoken": self.csrf_token(),
        }
        with self.client.post(
            "/accounts/login/",
            data=urlencode(form),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {username} answered {response.status_code}")

    def call(self, method: str, path: str, name: str, **kwargs: Any) -> Any:
        """An API request with the session's CSRF token; statuses in ACCEPTED[name] pass."""
        headers = {"X-CSRFToken": self.csrf_token(), "Accept": "application/json"}
        with self.client.request(
            method, path, name=name, headers=headers, catch_response=True, **kwargs
        ) as response:
            if response.status_code in ACCEPTED.get(name, {200}):
                response.success()
            else:
                response.failure(f"{response.status_code} {response.text[:160]!r}")
            return response


class WallScreen(Person):
    fixed_count = 50
    wait_time = constant_pacing(WALL_POLL_SECONDS)
    numbers = itertools.count()

    def on_start(self) -> None:
        n = next(self.numbers)
        team = DATA["teams"][n % len(DATA["teams"])]
        self.secret = team["screens"][(n // len(DATA["teams"])) % len(team["screens"])]
        self.since = int(time.time())
        arrived()
        start_in_turn(WALL_POLL_SECONDS)

    @task
    def poll(self) -> None:
        self.client.get(
            f"/wall/{self.secret}/content/?since={self.since}",
            headers={"HX-Request": "true"},
            name="wall partial",
        )


class Editor(Person):
    fixed_count = 20
    wait_time = between(1, 3)
    numbers = itertools.count()

    def on_start(self) -> None:
        n = next(self.numbers)
        self.team = DATA["teams"][n // 2 % len(DATA["teams"])]
        self.username = self.team["editors"][n % 2]
        self.base = f"/api/v1/teams/{self.team['slug']}"
        self.sign_in(self.username)
        arrived()
        start_in_turn(3)

    def active(self) -> list[dict[str, Any]]:
        response = self.call("GET", f"{self.base}/focus-items/", "API list")
        if response.status_code != 200:
            return []
        body = response.json()
        return list(body["results"] if isinstance(body, dict) else body)

    @task(3)
    def list_board(self) -> None:
        self.active()

    @task(2)
    def park_and_activate(self) -> None:
        items = self.active()
        if not items:
            return
        pk = random.choice(items)["id"]
        park = self.call("POST", f"{self.base}/focus-items/{pk}/park/", "API park", json={})
        # Activate only what this editor parked (a 409 means the other editor was first).
        if park.status_code == 200:
            self.call("POST", f"{self.base}/focus-items/{pk}/activate/", "API activate", json={})

    @task(1)
    def add_and_finish(self) -> None:
        added = self.call(
            "POST",
            f"{self.base}/focus-items/",
            "API add",
            json={"title": f"Load topic {random.randrange(10**6)}", "why": "Measured today"},
        )
        if added.status_code == 201:
            pk = added.json()["id"]
            self.call("POST", f"{self.base}/focus-items/{pk}/finish/", "API finish", json={})

    @task(1)
    def book_a_meeting(self) -> None:
        proposed = self.call(
            "POST",
            f"{self.base}/slot-proposals/",
            "API slot proposals",
            json={"duration_minutes": 30, "attendees": self.team["editors"], "limit": 3},
        )
        if proposed.status_code != 200 or not proposed.json()["proposals"]:
            return
        slot = random.choice(proposed.json()["proposals"])
        booked = self.call(
            "POST",
            f"{self.base}/meetings/",
            "API book",
            json={
                "title": "Load sync",
                "start": slot["start"],
                "end": slot["end"],
                "attendees": self.team["editors"],
            },
        )
        if booked.status_code == 201:
            pk = booked.json()["id"]
            self.call("POST", f"{self.base}/meetings/{pk}/cancel/", "API cancel", json={})


class CalendarClient(Person):
    """Polls as calendar apps do: the validators of the last answer go back with the next."""

    fixed_count = 10
    wait_time = constant_pacing(3)
    numbers = itertools.count()

    def on_start(self) -> None:
        team = DATA["teams"][next(self.numbers) % len(DATA["teams"])]
        self.path = f"/feeds/{team['feed']}.ics"
        self.validators: dict[str, str] = {}
        arrived()
        start_in_turn(3)

    @task
    def poll(self) -> None:
        with self.client.get(
            self.path, headers=self.validators, name="feed", catch_response=True
        ) as response:
            if response.status_code not in ACCEPTED["feed"]:
                response.failure(f"{response.status_code}")
                return
            response.success()
            if response.status_code == 200:
                self.validators = {
                    "If-None-Match": response.headers.get("ETag", ""),
                    "If-Modified-Since": response.headers.get("Last-Modified", ""),
                }


class Reader(Person):
    fixed_count = 10
    wait_time = between(2, 5)
    numbers = itertools.count()

    def on_start(self) -> None:
        self.team = DATA["teams"][next(self.numbers) % len(DATA["teams"])]
        self.sign_in(self.team["reader"])
        arrived()
        start_in_turn(5)

    @task(2)
    def board(self) -> None:
        self.client.get(f"/t/{self.team['slug']}/", name="board page")

    @task(1)
    def schedule(self) -> None:
        self.client.get(f"/t/{self.team['slug']}/schedule/", name="schedule page")


class Hostile(Person):
    """Uploads each hostile calendar of the review once, a few seconds apart, while the
    others run: the upload must answer in words and no gunicorn worker may be killed."""

    fixed_count = 1
    wait_time = constant(1)

    def on_start(self) -> None:
        self.sign_in(DATA["hostile_uploader"])
        self.todo = sorted(HOSTILE_FILES)
        arrived()
        start_in_turn(1)

    @task
    def upload(self) -> None:
        if not self.todo:
            hostile_done.set()
            gevent.sleep(SECONDS)
            return
        name = self.todo.pop(0)
        soon = date.today() + timedelta(days=1)  # inside the import's horizon
        body, content_type = encode_multipart_formdata(
            {"file": (f"{name}.ics", HOSTILE_FILES[name](soon), "text/calendar")}
        )
        headers = {
            "X-CSRFToken": self.csrf_token(),
            "Accept": "application/json",
            "Content-Type": content_type,
        }
        with self.client.post(
            "/api/v1/me/calendars/",
            data=body,  # type: ignore[arg-type]
            headers=headers,
            name=f"hostile {name}",
            catch_response=True,
        ) as response:
            # 201 (read, skipped events listed) or 400 with a reason in words.
            if response.status_code == 201 or (
                response.status_code == 400 and "file" in response.text
            ):
                response.success()
            else:
                response.failure(f"{response.status_code} {response.text[:160]!r}")

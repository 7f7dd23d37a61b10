"""Never a 500: every schedule endpoint and form, fed values of the wrong type, shape or
size, answers 2xx/3xx/4xx."""

from __future__ import annotations

import itertools

import pytest

from tests.conftest import TeamPeople

from .support import at

pytestmark = pytest.mark.django_db

JUNK = [
    None,
    "",
    "x",
    0,
    -1,
    10**30,
    1.5,
    True,
    [],
    ["member"],
    {},
    {"a": 1},
    "2030-01-01",
    "2030-01-01T10:00:00+01:00",
    "💥",
    "\x00",
]


def test_junk_input_never_gives_a_500(people: TeamPeople, as_user, client):
    c = as_user(people.lead)
    fields = {
        "slot-proposals/": [
            "title",
            "duration_minutes",
            "attendees",
            "optional_attendees",
            "earliest",
            "latest",
            "allow_maker_time",
            "limit",
        ],
        "meetings/": [
            "title",
            "start",
            "end",
            "attendees",
            "optional_attendees",
            "override_maker_time",
        ],
        "maker-policy/": ["workday_start", "lunch_end", "window_minutes", "meeting_free_weekdays"],
        "busy-sources/": ["url", "file"],
    }
    base = {
        "slot-proposals/": {"duration_minutes": 30, "attendees": ["member"]},
        "meetings/": {
            "title": "x",
            "start": at(1, "13:00").isoformat(),
            "end": at(1, "13:30").isoformat(),
            "attendees": ["member"],
        },
        "maker-policy/": {},
        "busy-sources/": {},
    }
    bad = []
    for path, names in fields.items():
        for name, junk in itertools.product(names, JUNK):
            body = {**base[path], name: junk}
            method = c.patch if path == "maker-policy/" else c.post
            r = method(f"/api/v1/teams/ml/{path}", body, format="json")
            if r.status_code >= 500:
                bad.append((path, name, junk, r.status_code))
    for q in JUNK:
        for path in ("meetings/", "maker-report/", "rebalance/"):
            for key in ("from", "to", "week", "status", "page"):
                r = c.get(f"/api/v1/teams/ml/{path}", {key: q} if q is not None else {})
                if r.status_code >= 500:
                    bad.append((path, key, q, r.status_code))
    client.force_login(people.lead)
    for path in ("propose/", "book/", "policy/", "busy/url/", "busy/upload/"):
        for name in [
            "title",
            "duration_minutes",
            "attendees",
            "earliest",
            "latest",
            "start",
            "end",
            "url",
            "workday_start",
            "week",
        ]:
            for junk in ["", "x", "9" * 50, "💥", "2030-01-01", "\x00"]:
                r = client.post(f"/t/ml/schedule/{path}", {name: junk})
                if r.status_code >= 500:
                    bad.append((path, name, junk, r.status_code))
    for junk in ["", "x", "9" * 50, "💥", "\x00", "2025-W7%00"]:
        r = client.get("/t/ml/schedule/", {"week": junk})
        if r.status_code >= 500:
            bad.append(("week", junk, r.status_code))
    assert bad == []

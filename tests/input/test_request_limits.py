"""Issue #14, finding 2: hostile bodies answer a clear 400/413 sentence, never a 500, and a
body larger than a view accepts is refused by its Content-Length before it is read."""

from __future__ import annotations

import io
import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from core.limits import MAX_JSON_DEPTH, MAX_REQUEST_BYTES
from core.parsers import LimitedJSONParser, RequestTooLarge, json_shape
from focusboard.models import FocusItem
from schedule.ical.read import MAX_ICS_BYTES
from schedule.models import BusySource
from tests.conftest import TeamPeople

pytestmark = pytest.mark.django_db

ITEMS = "/api/v1/teams/ml/focus-items/"


class UnreadableBody(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, *args: object) -> bytes:
        raise AssertionError("the body was read")

    readline = read


def nested(depth: int) -> str:
    return '{"title": "Deep", "why": ' + "[" * depth + "]" * depth + "}"


def test_a_1000_deep_json_body_is_a_400_sentence(people: TeamPeople, as_user):
    body = nested(1000)
    assert len(body) < 2100  # the 2 KB body
    response = as_user(people.member).post(ITEMS, body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert f"more than {MAX_JSON_DEPTH} levels deep" in response.json()["detail"]
    assert not FocusItem.objects.exists()


@pytest.mark.parametrize("number", ["1e999", "-1e999", "NaN", "Infinity"])
def test_a_number_no_float_holds_is_a_400_sentence(people: TeamPeople, as_user, number):
    # 1e999 is valid JSON that Python reads as infinity; as a milestone's key it was a 500.
    body = f'{{"title": "T", "milestone": {number}}}'
    response = as_user(people.member).post(ITEMS, body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "numbers here are finite" in response.json()["detail"]
    assert not FocusItem.objects.exists()
    # Positive control: a large finite number is read (and refused as a key that is not there).
    body = '{"title": "T", "milestone": 1e300}'
    response = as_user(people.member).post(ITEMS, body, content_type="application/json")
    assert response.status_code == 400 and "milestone" in response.json()


def test_a_nul_anywhere_in_the_json_is_a_400_sentence(people: TeamPeople, as_user):
    # As a focus item's owner it reached a username lookup: PostgreSQL refused it with a 500.
    for body in [
        {"title": "T", "owner": "a\x00b"},
        {"title": "T", "why": ["\x00"]},
        {"title": "T", "a\x00": 1},
    ]:
        response = as_user(people.member).post(ITEMS, body, format="json")
        assert response.status_code == 400, body
        assert "NUL character" in response.json()["detail"]
    assert not FocusItem.objects.exists()
    # Positive control: the same owner without the NUL gets as far as the serializer.
    response = as_user(people.member).post(ITEMS, {"title": "T", "owner": "ab"}, format="json")
    assert response.status_code == 400 and "owner" in response.json()


def test_json_just_within_the_depth_limit_is_read(people: TeamPeople, as_user):
    # Positive control: nesting up to the limit reaches the serializer (which refuses a list).
    body = nested(MAX_JSON_DEPTH - 1)
    response = as_user(people.member).post(ITEMS, body, content_type="application/json")
    assert response.status_code == 400
    assert "why" in response.json()


def test_depth_ignores_brackets_inside_strings():
    assert json_shape(json.loads(b'{"a": "[[[[{{{{\\"[["}')) == (1, False)
    assert json_shape(json.loads(b'[[1], {"b": [2]}]')) == (3, False)
    assert json_shape(json.loads(b"42")) == (0, False)
    assert json_shape(json.loads(b'[{"k\\u0000": 1}]')) == (2, True)
    assert json_shape(json.loads(b'[[["\\u0000"]]]')) == (3, True)


def test_a_body_of_escaped_quotes_is_answered_at_once(people: TeamPeople, as_user):
    """An open string of 400 KB of \\" took a regular-expression depth check ~11 minutes
    (quadratic: 40 KB took 6.6 s); every JSON body is now parsed once, in linear time."""
    body = b'{"title": "' + b'\\"' * 200_000
    started = time.monotonic()
    response = as_user(people.member).post(ITEMS, body, content_type="application/json")
    assert time.monotonic() - started < 2
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]
    assert not FocusItem.objects.exists()


def test_a_30_mb_json_body_is_a_413_json_error_unread(people: TeamPeople, as_user):
    client = as_user(people.member)
    response = client.generic(
        "POST",
        ITEMS,
        content_type="application/json",
        CONTENT_LENGTH=str(30 * 1024 * 1024),
        **{"wsgi.input": UnreadableBody()},
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith("The request is 30 MB; at most 1 MB")


def test_a_real_30_mb_json_body_is_a_413_json_error(people: TeamPeople, as_user):
    body = json.dumps({"title": "Big", "why": "x" * (30 * 1024 * 1024)})
    response = as_user(people.member).post(ITEMS, body, content_type="application/json")
    assert response.status_code == 413
    assert "at most 1 MB" in response.json()["detail"]
    assert not FocusItem.objects.exists()


def test_the_parser_counts_what_it_reads_whatever_the_headers_said():
    """The middleware judges Content-Length; the parser stops at MAX_REQUEST_BYTES read (a
    stream longer than announced, or a view that allows more, never fills a worker)."""
    body = ('{"title": "x", "why": "' + "x" * (MAX_REQUEST_BYTES + 10) + '"}').encode()
    with pytest.raises(RequestTooLarge) as refused:
        LimitedJSONParser().parse(io.BytesIO(body), "application/json", {})
    assert refused.value.status_code == 413
    assert "at most 1 MB is accepted here" in str(refused.value.detail)


def test_a_too_large_page_form_gets_a_readable_page(people: TeamPeople):
    client = Client()
    client.force_login(people.member)
    response = client.generic(
        "POST",
        "/t/ml/items/",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(5 * 1024 * 1024),
        **{"wsgi.input": UnreadableBody()},
    )
    assert response.status_code == 413
    assert b"That was too much at once" in response.content
    assert b"The request is 5 MB; at most 1 MB is accepted here." in response.content


def test_an_upload_over_2_mb_is_refused_by_content_length_unread(people: TeamPeople, as_user):
    client = as_user(people.member)
    response = client.generic(
        "POST",
        "/api/v1/me/calendars/",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(300 * 1024 * 1024),
        **{"wsgi.input": UnreadableBody()},
    )
    assert response.status_code == 413
    assert "calendar files up to 2 MB are accepted" in response.json()["detail"]


def test_a_real_3_mb_upload_is_refused_with_the_calendar_sentence(people: TeamPeople):
    api = APIClient()
    api.force_authenticate(people.member)
    data = b"BEGIN:VCALENDAR\r\n" + b" " * (3 * 1024 * 1024) + b"END:VCALENDAR\r\n"
    response = api.post(
        "/api/v1/me/calendars/", {"file": SimpleUploadedFile("me.ics", data)}, format="multipart"
    )
    assert response.status_code == 413
    assert "calendar files up to 2 MB" in response.json()["detail"]
    assert not BusySource.objects.exists()

    page = Client()
    page.force_login(people.member)
    response = page.post("/me/calendars/upload/", {"file": SimpleUploadedFile("me.ics", data)})
    assert response.status_code == 413
    assert b"calendar files up to 2 MB are accepted" in response.content


def test_an_upload_just_under_the_limit_is_not_refused_for_its_size(people: TeamPeople, as_user):
    # Positive control: 2 MB of calendar plus its envelope passes the Content-Length check.
    data = b"BEGIN:VCALENDAR\r\n" + b"X-PAD:" + b"a" * (MAX_ICS_BYTES - 200) + b"\r\n"
    response = as_user(people.member).post(
        "/api/v1/me/calendars/", {"file": SimpleUploadedFile("me.ics", data)}, format="multipart"
    )
    assert response.status_code != 413, response.content[:300]

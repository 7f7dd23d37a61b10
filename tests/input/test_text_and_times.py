"""Issue #14, findings 2 and 4: every typed text has a length limit (in the database where it
can), bidi control characters never reach what others read, and times are checked on the UTC
instant the database stores."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from core.limits import SHORT_TEXT_MAX_LENGTH
from core.text import BIDI_CONTROLS, strip_bidi
from focusboard import services as focus_services
from focusboard.models import FocusItem
from milestones.models import Milestone
from schedule.models import Meeting
from tests.conftest import TeamPeople

pytestmark = pytest.mark.django_db

ITEMS = "/api/v1/teams/ml/focus-items/"
RLO = "\u202e"


def test_why_over_its_limit_is_a_400_sentence_in_the_api(people: TeamPeople, as_user):
    why = "w" * (SHORT_TEXT_MAX_LENGTH + 1)
    response = as_user(people.member).post(ITEMS, {"title": "T", "why": why}, format="json")
    assert response.status_code == 400
    assert "2000 characters" in str(response.json()["why"])
    assert not FocusItem.objects.exists()
    # Positive control: at the limit it is taken.
    ok = {"title": "T", "why": why[:-1]}
    assert as_user(people.member).post(ITEMS, ok, format="json").status_code == 201


def test_why_over_its_limit_on_the_board_is_refused_with_a_sentence(people: TeamPeople):
    client = Client()
    client.force_login(people.member)
    why = "w" * (SHORT_TEXT_MAX_LENGTH + 1)
    response = client.post("/t/ml/items/", {"title": "T", "why": why})
    # The board comes back with the form as typed and the sentence (no redirect).
    assert response.status_code == 400
    assert "at most 2000 characters" in response.content.decode()
    assert not FocusItem.objects.exists()


def test_a_service_cannot_save_an_overlong_why_either(people: TeamPeople):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="2000"):
        focus_services.focus_item_add(
            team=people.team, actor=people.member, title="T", why="w" * 5000
        )


def test_the_database_holds_the_limit_of_long_texts(people: TeamPeople):
    item = focus_services.focus_item_add(team=people.team, actor=people.member, title="T")
    with pytest.raises(IntegrityError), transaction.atomic():
        FocusItem.objects.filter(pk=item.pk).update(why="w" * (SHORT_TEXT_MAX_LENGTH + 1))
    FocusItem.objects.filter(pk=item.pk).update(why="w" * SHORT_TEXT_MAX_LENGTH)  # control


def test_bidi_controls_are_stripped_from_titles_everywhere(people: TeamPeople, as_user):
    title = f"Fix {RLO}gnp.exe\u2066 now\u200f"
    response = as_user(people.member).post(ITEMS, {"title": title, "why": f"a{RLO}b"})
    assert response.status_code == 201
    assert response.json()["title"] == "Fix gnp.exe now"
    item = FocusItem.objects.get()
    assert (item.title, item.why) == ("Fix gnp.exe now", "ab")
    client = Client()
    client.force_login(people.viewer)
    page = client.get("/t/ml/").content.decode()
    assert "Fix gnp.exe now" in page
    assert not set(page) & BIDI_CONTROLS

    response = as_user(people.member).post(
        "/api/v1/teams/ml/milestones/",
        {"title": f"{RLO}Ship it", "target_date": "2031-03-01", "description": RLO},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Milestone.objects.get().title == "Ship it"


def test_strip_bidi_keeps_every_other_character():
    text = "Ünïcødé ✓ עברית العربية 中文"
    assert strip_bidi(text) == text
    assert strip_bidi("".join(sorted(BIDI_CONTROLS))) == ""


def meeting(start: str, end: str) -> dict[str, object]:
    return {"title": "Sync", "start": start, "end": end, "attendees": ["member", "lead"]}


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("1970-01-01T00:30:00+01:00", "1970-01-01T01:00:00+01:00"),  # 1969 in UTC
        ("1969-12-31T23:00:00-05:00", "1969-12-31T23:30:00-05:00"),
        ("2199-12-31T23:30:00-05:00", "2199-12-31T23:45:00-05:00"),  # 2200 in UTC
    ],
)
def test_a_meeting_outside_the_years_in_utc_is_a_400(people: TeamPeople, as_user, start, end):
    response = as_user(people.member).post(
        "/api/v1/teams/ml/meetings/", meeting(start, end), format="json"
    )
    assert response.status_code == 400, response.content
    assert "Pick a date between 1970 and 2199" in str(response.json())
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-01", "1969-12-31"])
def test_vision_and_milestone_dates_outside_the_years_are_a_400(people: TeamPeople, as_user, day):
    client = as_user(people.lead)
    vision = client.post(
        "/api/v1/teams/ml/visions/",
        {"title": "V", "problem": "P", "starts_on": day},
        format="json",
    )
    assert vision.status_code == 400 and "starts_on" in vision.json()
    milestone = client.post(
        "/api/v1/teams/ml/milestones/", {"title": "M", "target_date": day}, format="json"
    )
    assert milestone.status_code == 400 and "target_date" in milestone.json()


def test_names_from_anywhere_are_shown_without_bidi_controls(people: TeamPeople):
    from teams.models import display_name

    client = Client()
    client.force_login(people.member)
    response = client.post("/me/", {"form": "name", "first_name": f"{RLO}Sam", "last_name": "Li"})
    assert response.status_code == 302
    people.member.refresh_from_db()
    assert people.member.first_name == "Sam"
    # A name single sign-on wrote straight into the user row is shown clean as well.
    people.viewer.first_name = f"V{RLO}ic"
    people.viewer.save()
    assert display_name(people.viewer) == "Vic"

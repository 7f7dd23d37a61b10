"""Busy calendars belong to the person: uploaded once, they count in every team the person is
in; meetings booked before new busy time came in are flagged and their organizer told."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from schedule.models import BusySource
from teams.models import Role
from tests.conftest import TeamPeople
from tests.factories import MembershipFactory, TeamFactory

from .support import at, ics, make_meeting

pytestmark = pytest.mark.django_db


def api_as(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def upload(client: APIClient, path: str, data: bytes):  # type: ignore[no-untyped-def]
    return client.post(path, {"file": SimpleUploadedFile("me.ics", data)}, format="multipart")


def proposal_starts(client: APIClient, slug: str, attendee: str) -> list[datetime | None]:
    body = {
        "title": "Sync",
        "duration_minutes": 60,
        "attendees": [attendee],
        "earliest": at(1, "00:00").date().isoformat(),
        "latest": at(2, "00:00").date().isoformat(),
    }
    response = client.post(f"/api/v1/teams/{slug}/slot-proposals/", body, format="json")
    assert response.status_code == 200, response.content
    return [parse_datetime(p["start"]) for p in response.json()["proposals"]]


def test_one_upload_counts_in_every_team_of_the_person(people: TeamPeople, client):
    second = TeamFactory(slug="infra", name="Infra", timezone="Europe/Paris")
    MembershipFactory(team=second, user=people.member, role=Role.MEMBER)
    MembershipFactory(team=second, user=people.outsider, role=Role.LEAD)
    member = api_as(people.member)
    free_before = proposal_starts(api_as(people.outsider), "infra", "member")
    assert at(1, "13:00") in free_before  # Tuesday after lunch, Paris

    # Uploaded from the first team's endpoint ...
    response = upload(
        member, "/api/v1/teams/ml/busy-sources/", ics((at(1, "13:00"), at(1, "14:30"), "Dentist"))
    )
    assert response.status_code == 201, response.content
    source_id = response.json()["id"]

    # ... it keeps the second team's proposals away from that time too,
    assert at(1, "13:00") not in proposal_starts(api_as(people.outsider), "infra", "member")
    # and it is the same single calendar from each team and from /me/.
    for path in (
        "/api/v1/me/calendars/",
        "/api/v1/teams/infra/busy-sources/",
        "/api/v1/teams/ml/busy-sources/",
    ):
        assert [s["id"] for s in member.get(path).json()["results"]] == [source_id], path
    # Uploading again from the other team replaces it: still one upload for the person.
    again = upload(
        member, "/api/v1/teams/infra/busy-sources/", ics((at(3, "13:00"), at(3, "14:00"), "Gym"))
    )
    assert again.status_code == 201 and again.json()["id"] == source_id
    assert BusySource.objects.filter(user=people.member).count() == 1
    # Colleagues see "busy" on the week page, never the title; the owner manages it at /me/.
    client.force_login(people.outsider)
    week = client.get("/t/infra/schedule/", {"week": f"{at(3, '00:00'):%G-W%V}"}).content.decode()
    assert "Gym" not in week
    client.force_login(people.member)
    assert 'href="/me/calendars/"' in client.get("/t/infra/schedule/").content.decode()
    mine = client.get("/me/calendars/").content.decode()
    assert "me.ics" in mine and "Infra" in mine and "ML Team" in mine


def test_new_busy_time_flags_booked_meetings_and_tells_the_organizer(
    people: TeamPeople, client, django_capture_on_commit_callbacks
):
    people.lead.email = "lead@example.com"
    people.lead.save()
    people.member.first_name, people.member.last_name = "Tom", "Becker"
    people.member.save()
    meeting = make_meeting(
        people.team, at(1, "13:00"), at(1, "13:30"), [people.member, people.lead]
    )
    meeting.organizer = people.lead
    meeting.save()
    same_span = make_meeting(people.team, at(2, "13:00"), at(2, "13:30"), [people.member])
    lead = api_as(people.lead)

    def flags() -> dict[str, list[str]]:
        rows = lead.get("/api/v1/teams/ml/meetings/").json()["results"]
        return {row["title"]: row["newly_busy"] for row in rows}

    assert all(flagged == [] for flagged in flags().values())
    data = ics(
        (at(1, "12:30"), at(1, "13:15"), "Doctor"),
        # The meeting itself, as an invitation put it in the person's own calendar.
        (at(2, "13:00"), at(2, "13:30"), "Sync"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(api_as(people.member), "/api/v1/me/calendars/", data).status_code == 201

    detail = lead.get(f"/api/v1/teams/ml/meetings/{meeting.pk}/").json()
    assert detail["newly_busy"] == ["member"]
    assert detail["newly_busy_sentences"] == ["Tom Becker is now busy then"]
    assert lead.get(f"/api/v1/teams/ml/meetings/{same_span.pk}/").json()["newly_busy"] == []
    # The organizer is told once, by email.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lead@example.com"]
    assert "Tom Becker is now busy then" in mail.outbox[0].subject
    # The week page says so next to the meeting.
    client.force_login(people.viewer)
    week = client.get("/t/ml/schedule/", {"week": f"{at(1, '00:00'):%G-W%V}"}).content.decode()
    assert week.count("Tom Becker is now busy then.") == 1
    # Importing the same calendar again tells nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(api_as(people.member), "/api/v1/me/calendars/", data).status_code == 201
    assert len(mail.outbox) == 1
    # Once the busy time is gone, so is the flag.
    source = BusySource.objects.get(user=people.member)
    api_as(people.member).delete(f"/api/v1/me/calendars/{source.pk}/")
    assert lead.get(f"/api/v1/teams/ml/meetings/{meeting.pk}/").json()["newly_busy"] == []


def test_cancelled_meetings_are_not_flagged(people: TeamPeople, django_capture_on_commit_callbacks):
    meeting = make_meeting(people.team, at(1, "13:00"), at(1, "13:30"), [people.member])
    api_as(people.lead).post(f"/api/v1/teams/ml/meetings/{meeting.pk}/cancel/")
    data = ics((at(1, "13:00"), at(1, "14:00"), "Doctor"))
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(api_as(people.member), "/api/v1/me/calendars/", data).status_code == 201
    row = api_as(people.lead).get(f"/api/v1/teams/ml/meetings/{meeting.pk}/").json()
    assert row["status"] == "cancelled" and row["newly_busy"] == []
    assert mail.outbox == []


def test_meetings_list_flags_in_a_fixed_number_of_queries(
    people: TeamPeople, django_assert_max_num_queries
):
    for day in range(5):
        make_meeting(people.team, at(day, "13:00"), at(day, "13:30"), [people.member, people.lead])
    data = ics(*((at(day, "13:00"), at(day, "13:20"), "x") for day in range(5)))
    assert upload(api_as(people.member), "/api/v1/me/calendars/", data).status_code == 201
    lead = api_as(people.lead)
    with django_assert_max_num_queries(8):
        rows = lead.get("/api/v1/teams/ml/meetings/").json()["results"]
    assert [row["newly_busy"] for row in rows] == [["member"]] * 5

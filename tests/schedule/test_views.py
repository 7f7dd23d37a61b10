"""The schedule pages through the HTTP client: the week, proposing and booking (plain form
posts and htmx partials), cancel, apply a rebalance move, busy calendars, the policy page."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from schedule.models import BusyInterval, MakerPolicy, Meeting
from teams.models import Role
from teams.services import profile_update
from tests.conftest import TeamPeople
from tests.factories import MembershipFactory

from .support import add_busy, at, ics, make_meeting, three_megabytes, week_of

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def member_client(people: TeamPeople, client):  # type: ignore[no-untyped-def]
    client.force_login(people.member)
    return client


def week_param() -> dict[str, str]:
    return {"week": week_of(at(0, "00:00").date())}


def test_week_page_shows_people_meetings_and_times_in_my_zone(people: TeamPeople, member_client):
    profile_update(user=people.member, timezone="Europe/London", fields={"timezone"})
    make_meeting(
        people.team, at(1, "13:00"), at(1, "13:30"), [people.member, people.lead], title="Standup"
    )
    add_busy(people.lead, at(2, "10:00"), at(2, "11:00"), summary="Dentist")
    add_busy(people.member, at(3, "10:00"), at(3, "11:00"), summary="Gym")
    response = member_client.get("/t/ml/schedule/", week_param())
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-current="page">Schedule' in html
    assert '<svg class="week-svg"' in html
    for username in ("lead", "member", "viewer"):
        assert f'data-person="{username}"' in html
    # The meeting in the member's own zone (London: 12:00), with everyone's local time.
    assert "Standup" in html
    assert "12:00\u201312:30" in html  # an en dash
    assert "Lena Petrova 13:00 Paris" in html and "Marco Rossi 12:00 London" in html
    # Busy time of others is "Busy"; my own shows its title.
    assert "Dentist" not in html
    assert "Gym (" in html
    assert "wk-after_lunch" in html and "wk-focus" in html and "wk-lunch" in html
    assert "Times in your time zone (Europe/London)" in html
    assert "style=" not in html  # the CSP forbids inline styles


def test_week_navigation_and_bad_week(people: TeamPeople, member_client):
    monday = at(0, "00:00").date()
    html = member_client.get("/t/ml/schedule/", week_param()).content.decode()
    assert f"?week={week_of(monday - timedelta(weeks=1))}" in html
    assert f"?week={week_of(monday + timedelta(weeks=1))}" in html
    bad = member_client.get("/t/ml/schedule/", {"week": "the week after next"})
    assert bad.status_code == 400
    assert "is not a week; use YYYY-Www" in bad.content.decode()


def test_week_page_query_count_is_flat(
    people: TeamPeople, member_client, django_assert_max_num_queries
):
    make_meeting(people.team, at(1, "13:00"), at(1, "13:30"), [people.member])
    with django_assert_max_num_queries(20) as small:
        assert member_client.get("/t/ml/schedule/", week_param()).status_code == 200
    for i in range(12):
        user = MembershipFactory(team=people.team, role=Role.MEMBER).user
        add_busy(user, at(i % 5, "09:00"), at(i % 5, "10:00"))
        make_meeting(
            people.team,
            at(i % 5, "13:00"),
            at(i % 5, "13:30"),
            [user, people.lead],
            [people.viewer],
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert member_client.get("/t/ml/schedule/", week_param()).status_code == 200


def propose_data(**extra):  # type: ignore[no-untyped-def]
    return {
        "title": "Design sync",
        "duration_minutes": "30",
        "attendees": ["member", "lead"],
        "earliest": at(1, "00:00").date().isoformat(),
        "latest": at(2, "00:00").date().isoformat(),
        **extra,
    }


def test_propose_with_htmx_answers_the_planner_with_ranked_proposals(member_client):
    response = member_client.post("/t/ml/schedule/propose/", propose_data(), **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="planner"')
    assert "<html" not in html
    assert html.count('class="proposal') >= 2
    assert "#1" in html and "right after lunch" in html
    assert 'name="start" value="' in html
    assert "Book 13:00" in html


def test_propose_without_javascript_renders_the_page(member_client):
    response = member_client.post("/t/ml/schedule/propose/", propose_data())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and 'class="proposals"' in html


@pytest.mark.parametrize(
    ("extra", "status", "text"),
    [
        ({"duration_minutes": "90"}, 409, "longer than the team&#x27;s 60-minute maximum"),
        ({"attendees": ["ghost"]}, 400, "Select a valid choice"),
        ({"latest": "2000-01-01"}, 400, "must not be before the earliest"),
        ({"earliest": "soon"}, 400, "Enter a valid date"),
        ({"optional_attendees": ["member"]}, 400, "cannot be both required and optional"),
    ],
)
def test_propose_errors_are_sentences(member_client, extra, status, text):
    plain = member_client.post("/t/ml/schedule/propose/", propose_data(**extra))
    assert plain.status_code == status
    assert text in plain.content.decode()
    htmx = member_client.post("/t/ml/schedule/propose/", propose_data(**extra), **HX)
    assert htmx.status_code == status  # htmx-config swaps 400/409: the error is in the planner
    assert text in htmx.content.decode()


def book_data(start, end, **extra):  # type: ignore[no-untyped-def]
    return {
        "title": "Design sync",
        "start": start.isoformat(),
        "end": end.isoformat(),
        "attendees": ["member", "lead"],
        **week_param(),
        **extra,
    }


def test_book_with_htmx_updates_the_week_and_confirms(people: TeamPeople, member_client):
    response = member_client.post(
        "/t/ml/schedule/book/", book_data(at(1, "13:00"), at(1, "13:30")), **HX
    )
    assert response.status_code == 200
    html = response.content.decode()
    meeting = Meeting.objects.get()
    assert html.lstrip().startswith('<section id="week-picture"')
    assert f'data-meeting="{meeting.pk}"' in html
    assert (
        'id="meetings" class="card" aria-labelledby="meetings-heading" hx-swap-oob="true"' in html
    )
    assert 'id="schedule-feedback"' in html and "Booked “Design sync”" in html
    assert 'id="planner"' in html  # a fresh planner
    assert response["HX-Push-Url"].endswith(f"?week={week_param()['week']}")


def test_book_without_javascript_redirects_with_a_message(member_client):
    response = member_client.post(
        "/t/ml/schedule/book/", book_data(at(1, "13:00"), at(1, "13:30")), follow=True
    )
    assert response.redirect_chain[0][1] == 302
    assert "Booked “Design sync”" in response.content.decode()


def test_booking_conflicts_are_readable_never_500(people: TeamPeople, member_client):
    make_meeting(people.team, at(1, "13:00"), at(1, "13:30"), [people.lead], title="Taken")
    cases = [
        (book_data(at(1, "13:00"), at(1, "13:30")), "Lena Petrova is in “Taken”"),
        (book_data(at(1, "10:45"), at(1, "11:15")), "maker time"),
        (book_data(at(1, "14:00"), at(1, "16:00")), "Split it into two"),
        (book_data(at(1, "14:00"), at(1, "14:30"), attendees=["ghost"]), "Select a valid choice"),
        (book_data(at(1, "14:30"), at(1, "14:00")), "must end after it starts"),
        ({"title": "x", "start": "garbage"}, "Enter a valid date/time"),
    ]
    for data, text in cases:
        htmx = member_client.post("/t/ml/schedule/book/", data, **HX)
        assert htmx.status_code in (400, 409)
        assert htmx["HX-Reswap"] == "none"
        body = unescape(htmx.content.decode())
        assert 'hx-swap-oob="true"' in body and text in body, (text, body)
        plain = member_client.post("/t/ml/schedule/book/", data, follow=True)
        assert plain.status_code == 200
        assert text in unescape(plain.content.decode())
    assert Meeting.objects.count() == 1


def test_booking_in_maker_time_with_the_override_flags_it(member_client):
    data = book_data(at(1, "10:45"), at(1, "11:15"), override_maker_time="on")
    member_client.post("/t/ml/schedule/book/", data, **HX)
    meeting = Meeting.objects.get()
    assert meeting.forced_into_maker_time
    page = member_client.get("/t/ml/schedule/", week_param()).content.decode()
    assert "in maker time" in page and "wk-forced" in page


def test_cancel_and_move(people: TeamPeople, member_client):
    meeting = make_meeting(
        people.team, at(2, "10:30"), at(2, "11:00"), [people.member], forced=True
    )
    html = member_client.get("/t/ml/schedule/", week_param()).content.decode()
    match = re.search(
        rf'action="/t/ml/schedule/meetings/{meeting.pk}/move/".*?name="start" value="([^"]+)".*?'
        r'name="end" value="([^"]+)"',
        html,
        re.S,
    )
    assert match, "a rebalance suggestion with an Apply button"
    moved = member_client.post(
        f"/t/ml/schedule/meetings/{meeting.pk}/move/",
        {"start": match.group(1), "end": match.group(2), **week_param()},
        **HX,
    )
    assert moved.status_code == 200 and "Moved “Sync”" in moved.content.decode()
    meeting.refresh_from_db()
    assert (meeting.sequence, meeting.forced_into_maker_time) == (1, False)
    cancelled = member_client.post(
        f"/t/ml/schedule/meetings/{meeting.pk}/cancel/", week_param(), follow=True
    )
    assert "Cancelled “Sync”" in cancelled.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"
    bad_move = member_client.post(
        f"/t/ml/schedule/meetings/{meeting.pk}/move/",
        {"start": "nope", "end": "nope"},
        **HX,
    )
    assert bad_move.status_code == 400 and "valid date/time" in bad_move.content.decode()


def _part(html: str, start_marker: str, end_marker: str) -> str:
    start = html.index(start_marker)
    return html[start : html.index(end_marker, start)]


def test_a_bad_upload_is_told_at_the_upload_form_not_on_the_good_files_row(
    people: TeamPeople, member_client
):
    good = SimpleUploadedFile("me.ics", ics((at(1, "10:00"), at(1, "11:00"), "Review")))
    response = member_client.post("/me/calendars/upload/", {"file": good}, follow=True)
    assert "Imported 1 busy intervals from me.ics" in response.content.decode()
    for bad, reason in ((b"<html>login</html>", "not an iCalendar file"),):
        response = member_client.post(
            "/me/calendars/upload/", {"file": SimpleUploadedFile("other.ics", bad)}
        )
        html = response.content.decode()
        assert response.status_code == 400
        form = _part(html, 'id="upload-form"', "</form>")
        assert "other.ics was not imported (your earlier busy time is kept)" in form
        assert reason in form and 'aria-invalid="true"' in form
        # me.ics's row is as it was: no "Last import failed" for a file it never was.
        rows = _part(html, '<table class="table sources">', "</table>")
        assert "me.ics" in rows and reason not in rows and "Last import failed" not in rows
        assert BusyInterval.objects.filter(user=people.member).count() == 1
    html = member_client.get("/me/calendars/").content.decode()
    assert "Last import failed" not in html
    week = member_client.get("/t/ml/schedule/").content.decode()
    assert "last import failed" not in _part(week, 'id="busy"', "</section>")
    nothing = member_client.post("/me/calendars/upload/", {})
    assert nothing.status_code == 400
    assert "Choose an .ics file" in _part(nothing.content.decode(), 'id="upload-form"', "</form>")
    # Over 2 MB is refused by its Content-Length before it is read: a page that says so.
    response = member_client.post(
        "/me/calendars/upload/", {"file": SimpleUploadedFile("x.ics", three_megabytes())}
    )
    assert response.status_code == 413
    assert "calendar files up to 2 MB are accepted" in response.content.decode()
    assert BusyInterval.objects.filter(user=people.member).count() == 1


def test_busy_url_errors_are_told_at_the_address_form(member_client, settings):
    settings.FOCUSBOARD_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    from .support import closed_port_url

    for url, text in (
        (closed_port_url(), "Could not reach 127.0.0.1"),
        ("gopher://x", "http://, https:// or webcal://"),
        ("", "This field is required"),
    ):
        response = member_client.post("/me/calendars/url/", {"url": url})
        assert response.status_code == 400
        form = _part(response.content.decode(), 'id="url-form"', "</form>")
        assert text in form
        assert f'value="{url}"' in form  # what was typed stays


def test_policy_page_lead_edits_others_read(people: TeamPeople, client):
    client.force_login(people.lead)
    form = client.get("/t/ml/schedule/policy/").content.decode()
    assert 'name="workday_start"' in form and "Right after lunch" in form
    saved = client.post(
        "/t/ml/schedule/policy/",
        {
            "workday_start": "08:30",
            "workday_end": "17:30",
            "lunch_start": "12:00",
            "lunch_end": "13:00",
            "window_minutes": "60",
            "max_meeting_minutes": "45",
            "max_attendees": "5",
            "min_focus_block_minutes": "90",
            "meeting_free_weekdays": ["2"],
        },
        follow=True,
    )
    assert "The maker policy is saved." in saved.content.decode()
    policy = MakerPolicy.objects.get(team=people.team)
    assert (policy.max_meeting_minutes, policy.meeting_free_weekdays) == (45, [2])
    bad = client.post(
        "/t/ml/schedule/policy/",
        {
            "workday_start": "18:00",
            "workday_end": "09:00",
            "lunch_start": "12:00",
            "lunch_end": "13:00",
            "window_minutes": "60",
            "max_meeting_minutes": "45",
            "max_attendees": "5",
            "min_focus_block_minutes": "90",
        },
    )
    assert bad.status_code == 400
    assert "The workday must start before it ends." in bad.content.decode()
    client.force_login(people.viewer)
    page = client.get("/t/ml/schedule/policy/").content.decode()
    assert "Only leads change the maker policy" in page
    assert "45 minutes" in page and "Wednesday" in page


def test_extreme_dates_on_the_pages_are_sentences(member_client):
    for week in ("9999-W52", "0001-W01"):
        assert member_client.get("/t/ml/schedule/", {"week": week}).status_code == 400
    for extra in ({"latest": "9999-12-31"}, {"earliest": "0001-01-01"}):
        response = member_client.post("/t/ml/schedule/propose/", propose_data(**extra))
        assert response.status_code == 400
        assert "Pick a date between" in response.content.decode()
    far = "9999-12-31T23:00:00-01:00"
    booked = member_client.post(
        "/t/ml/schedule/book/", {**book_data(at(1, "13:00"), at(1, "13:30")), "start": far}, **HX
    )
    assert booked.status_code == 400 and "Pick a date between" in booked.content.decode()
    assert not Meeting.objects.exists()


def test_proposals_show_reasons_not_a_raw_score(member_client):
    html = member_client.post("/t/ml/schedule/propose/", propose_data()).content.decode()
    planner = html[html.index('class="proposals"') :]
    assert "score" not in planner
    assert "right after lunch for" in planner.lower() and "(Paris)" in planner


def test_a_past_meeting_offers_no_cancel_and_refuses_one(people: TeamPeople, member_client):
    from django.utils import timezone

    now = timezone.now()
    past = make_meeting(
        people.team, now - timedelta(hours=3), now - timedelta(hours=2), [people.member]
    )
    ahead = make_meeting(
        people.team, now + timedelta(hours=2), now + timedelta(hours=3), [people.member]
    )
    html = member_client.get("/t/ml/schedule/").content.decode()
    assert f"/meetings/{ahead.pk}/cancel/" in html
    assert f"/meetings/{past.pk}/cancel/" not in html
    item = html[html.index(f'id="meeting-{past.pk}"') :]
    assert "over" in item[: item.index("</li>")]
    response = member_client.post(f"/t/ml/schedule/meetings/{past.pk}/cancel/", follow=True)
    assert "is over; a past meeting cannot be cancelled" in unescape(response.content.decode())
    htmx = member_client.post(f"/t/ml/schedule/meetings/{past.pk}/cancel/", **HX)
    assert htmx.status_code == 409
    past.refresh_from_db()
    assert past.status == "confirmed"


def test_vs_last_week_only_when_the_team_was_there_last_week(people: TeamPeople, member_client):
    html = member_client.get("/t/ml/schedule/").content.decode()
    report = html[html.index('id="maker-report"') :]
    assert "vs last week" not in report and "no last week to compare with" in report
    # Next week's page compares with this week, when the team already exists.
    later = member_client.get(f"/t/ml/schedule/?week={week_of(at(0, '09:00').date())}")
    assert "vs last week" in later.content.decode()


def test_the_week_page_calls_people_by_their_names(people: TeamPeople, member_client):
    """Usernames are for signing in and for what forms send; every sentence, label and row on
    the schedule names people as they call themselves."""
    html = unescape(member_client.get("/t/ml/schedule/", week_param()).content.decode())
    # The maker report's rows and the chart's sentences.
    assert '<th scope="row">Lena Petrova</th>' in html
    assert '<th scope="row">lead</th>' not in html
    assert "Lena Petrova works 09:00-" in html and "Lena Petrova's lunch" in html
    assert "for lead:" not in html and "lead works" not in html
    # The planner's attendee choices: the name shown, the username sent.
    assert re.search(r'value="lead"[^>]*>\s*Lena Petrova', html), html[:200]
    # The proposals' chips and reasons.
    proposed = unescape(
        member_client.post("/t/ml/schedule/propose/", propose_data()).content.decode()
    )
    assert "Lena Petrova · after lunch · Tue 13:00 Paris" in proposed
    assert "lunch for Marco Rossi (Paris) and Lena Petrova (Paris)" in proposed
    assert "Keeps Lena Petrova's 4 h 30 min afternoon focus block" in proposed

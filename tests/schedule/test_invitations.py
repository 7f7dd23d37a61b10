"""Meeting invitations by email (iTIP/iMIP): booked, moved, cancelled through the page, the
API, rebalance and the admin; sent after commit through the task; retried on failure."""

from __future__ import annotations

import itertools
from datetime import UTC, timedelta
from email import message_from_bytes
from email.message import Message
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks import task_backends

from schedule import invitations
from schedule.models import InvitationSend, Meeting
from teams.services import profile_update
from tests.conftest import TeamPeople
from tests.factories import UserFactory

from .feed_support import book, new_feed, path_of
from .feed_support import people_with_addresses as _fixture  # noqa: F401
from .ical_checks import parse_everywhere
from .support import at, iso

# Real commits: invitations go out after the booking's transaction commits, which a test
# wrapped in one transaction would never see.
pytestmark = pytest.mark.django_db(transaction=True)

BASE = "/api/v1/teams/ml"
RAISING = "tests.schedule.test_invitations.RefusingBackend"


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server refused the connection")


def mime(message) -> Message:
    return message_from_bytes(message.message().as_bytes())


def itip_part(message) -> tuple[str, bytes]:
    """The text/calendar alternative's method parameter and bytes; checks the .ics attachment
    carries the same calendar."""
    parsed = mime(message)
    (part,) = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    (attachment,) = [p for p in parsed.walk() if p.get_filename()]
    assert attachment.get_filename().endswith(".ics")
    data = attachment.get_payload(decode=True)  # base64: the exact bytes, CRLF and all
    # A text part's line ends are the mail's own (CRLF on the wire, whatever reads it back).
    assert part.get_payload(decode=True).replace(b"\r\n", b"\n") == data.replace(b"\r\n", b"\n")
    assert part.get_content_charset() == "utf-8"
    return part.get_param("method"), data


def sent_to(email: str) -> list:
    return [m for m in mail.outbox if m.to == [email]]


def test_a_booking_invites_every_attendee_with_an_itip_request(team_people, as_user, client):
    meeting = book(as_user(team_people.lead))
    assert sorted(m.to[0] for m in mail.outbox) == [
        "lead@example.com",
        "member@example.com",
        "nyc@example.com",
    ]
    (message,) = sent_to("nyc@example.com")
    method, data = itip_part(message)
    assert method == "REQUEST"
    parsed = parse_everywhere(data)
    assert str(parsed.calendar["METHOD"]) == "REQUEST"
    event = parsed.event(meeting.uid)
    assert int(event["SEQUENCE"]) == 0
    assert str(event["ORGANIZER"]) == "mailto:lead@example.com"
    roles = {str(a): a.params["ROLE"] for a in event["ATTENDEE"]}
    assert roles == {
        "mailto:lead@example.com": "REQ-PARTICIPANT",
        "mailto:member@example.com": "REQ-PARTICIPANT",
        "mailto:nyc@example.com": "OPT-PARTICIPANT",
    }
    assert "Why this time: right after lunch" in str(event["DESCRIPTION"])
    # The plain text is in the recipient's own time: 13:00 in Paris is 07:00 in New York.
    assert "07:00-07:30 (New York time)" in message.body
    # People by their names, in the sentences and in the list of who comes.
    assert "Lena Petrova invited you to “Design review” in ML Team." in message.body
    assert "Who: Lena Petrova (required), Marco Rossi (required), " in message.body
    assert (
        "Why this time: right after lunch for Lena Petrova (Paris) and Marco Rossi (Paris)."
        in message.body
    )
    assert message.subject.startswith("Invitation: Design review")
    assert message.reply_to == ["lead@example.com"]
    # Same UID as the feed.
    feed = client.get(path_of(new_feed(as_user(team_people.lead))["url"]))
    assert str(parse_everywhere(feed.content).event(meeting.uid)["UID"]) == meeting.uid
    vevent = parsed.vobject.vevent
    assert vevent.uid.value == meeting.uid
    assert {e.uid for e in parsed.ics.events} == {meeting.uid}
    sends = InvitationSend.objects.filter(meeting=meeting)
    assert sends.count() == 3 and all(s.sent_at and s.attempts == 1 for s in sends)


def test_a_move_says_what_changed_and_the_sequence_grows(team_people, as_user):
    api = as_user(team_people.lead)
    meeting = book(api)
    mail.outbox.clear()
    moved = api.patch(
        f"{BASE}/meetings/{meeting.pk}/",
        {"start": iso(at(2, "13:30")), "end": iso(at(2, "14:00"))},
    )
    assert moved.status_code == 200, moved.content
    (message,) = sent_to("member@example.com")
    assert "Moved from Tue 13:00 to Wed 13:30 (Paris)." in message.body
    assert message.subject.startswith("Moved: Design review")
    method, data = itip_part(message)
    event = parse_everywhere(data).event(meeting.uid)
    assert method == "REQUEST" and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == at(2, "13:30").astimezone(UTC)
    (nyc,) = sent_to("nyc@example.com")
    assert "Moved from Tue 07:00 to Wed 07:30 (New York)." in nyc.body


def test_people_taken_off_a_meeting_get_a_cancellation(team_people, as_user):
    api = as_user(team_people.lead)
    meeting = book(api)
    mail.outbox.clear()
    changed = api.patch(f"{BASE}/meetings/{meeting.pk}/", {"optional_attendees": []})
    assert changed.status_code == 200, changed.content
    (gone,) = sent_to("nyc@example.com")
    method, data = itip_part(gone)
    event = parse_everywhere(data).event(meeting.uid)
    assert method == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1
    (staying,) = sent_to("member@example.com")
    assert itip_part(staying)[0] == "REQUEST"


def test_a_cancellation_and_the_feed_agree(team_people, as_user, client):
    api = as_user(team_people.lead)
    meeting = book(api)
    path = path_of(new_feed(api)["url"])
    mail.outbox.clear()
    assert api.post(f"{BASE}/meetings/{meeting.pk}/cancel/").status_code == 200
    (message,) = sent_to("member@example.com")
    method, data = itip_part(message)
    assert method == "CANCEL" and message.subject.startswith("Cancelled: Design review")
    invited = parse_everywhere(data).event(meeting.uid)
    listed = parse_everywhere(client.get(path).content).event(meeting.uid)
    for name in ("UID", "SEQUENCE", "STATUS", "SUMMARY", "DTSTART", "DTEND", "DTSTAMP"):
        assert invited[name].to_ical() == listed[name].to_ical(), name
    assert str(listed["STATUS"]) == "CANCELLED" and int(listed["SEQUENCE"]) == 1
    # Cancelling twice tells nobody twice.
    mail.outbox.clear()
    assert api.post(f"{BASE}/meetings/{meeting.pk}/cancel/").status_code == 200
    assert mail.outbox == []


def test_rebalance_apply_on_the_page_sends_the_update(team_people, as_user, client):
    meeting = book(as_user(team_people.lead))
    mail.outbox.clear()
    client.force_login(team_people.lead)
    response = client.post(
        f"/t/ml/schedule/meetings/{meeting.pk}/move/",
        # What the rebalance suggestion's Apply button posts.
        {"start": at(3, "09:00").isoformat(), "end": at(3, "09:30").isoformat()},
    )
    assert response.status_code in (200, 302), response.content
    meeting.refresh_from_db()
    assert meeting.sequence == 1 and meeting.start == at(3, "09:00")
    (message,) = sent_to("member@example.com")
    assert "Moved from Tue 13:00 to Thu 09:00 (Paris)." in message.body
    assert int(parse_everywhere(itip_part(message)[1]).event(meeting.uid)["SEQUENCE"]) == 1


def test_the_admin_cancels_and_renames_through_the_services(team_people, as_user, client):
    meeting = book(as_user(team_people.lead))
    mail.outbox.clear()
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = f"/admin/schedule/meeting/{meeting.pk}/change/"
    rows = list(meeting.attendance.all())
    form = {
        "title": "Design review (v2)",
        "attendance-TOTAL_FORMS": len(rows),
        "attendance-INITIAL_FORMS": len(rows),
        "attendance-MIN_NUM_FORMS": 0,
        "attendance-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate(rows):
        form |= {f"attendance-{i}-id": row.pk, f"attendance-{i}-meeting": meeting.pk}
    assert client.post(url, form).status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "Design review (v2)" and meeting.sequence == 1
    assert len(sent_to("member@example.com")) == 1
    response = client.post(
        "/admin/schedule/meeting/",
        {"action": "cancel_meetings", "_selected_action": [meeting.pk]},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_cancelled and meeting.sequence == 2
    assert itip_part(sent_to("member@example.com")[-1])[0] == "CANCEL"


def test_the_admin_cancel_action_leaves_a_meeting_that_is_over_and_says_why(
    team_people, as_user, client
):
    meeting = book(as_user(team_people.lead))
    Meeting.objects.filter(pk=meeting.pk).update(
        start=meeting.start - timedelta(days=30), end=meeting.end - timedelta(days=30)
    )
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/schedule/meeting/",
        {"action": "cancel_meetings", "_selected_action": [meeting.pk]},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any(meeting.title in m and "over" in m for m in shown), shown
    meeting.refresh_from_db()
    assert not meeting.is_cancelled and meeting.sequence == 0


def test_people_who_opted_out_or_have_no_address_get_no_email(team_people, as_user, client):
    client.force_login(team_people.member)
    form = client.get("/me/").content.decode()
    assert 'name="receive_invitations"' in form
    response = client.post("/me/", {"timezone": "", "receive_invitations": ""})
    assert response.status_code == 302
    team_people.lead.email = ""
    team_people.lead.save()
    meeting = book(as_user(team_people.lead))
    assert [m.to for m in mail.outbox] == [["nyc@example.com"]]
    # An organizer without an address is spoken for by the sender's.
    event = parse_everywhere(itip_part(mail.outbox[0])[1]).event(meeting.uid)
    assert str(event["ORGANIZER"]) == "mailto:focusboard@localhost"
    # Their feed still shows the meeting.
    feed = client.get(path_of(new_feed(as_user(team_people.member))["url"]))
    assert meeting.uid in feed.content.decode()
    page = client.get("/me/feeds/").content.decode()
    assert "You turned email invitations off" in page


def test_a_failing_mail_server_keeps_the_booking_and_queues_the_send(team_people, as_user, client):
    with override_settings(EMAIL_BACKEND=RAISING):
        meeting = book(as_user(team_people.lead))
    assert Meeting.objects.filter(pk=meeting.pk).exists()  # committed
    sends = InvitationSend.objects.filter(meeting=meeting)
    assert sends.count() == 3
    for send in sends:
        assert send.sent_at is None and send.attempts == 1
        assert "ConnectionRefusedError: SMTP server refused" in send.last_error
        assert send.next_attempt_at > timezone.now() + timedelta(seconds=30)
    assert mail.outbox == []

    # The lead sees them on the week page; a member does not.
    client.force_login(team_people.lead)
    page = client.get("/t/ml/schedule/").content.decode()
    assert "Invitations not sent" in page and "SMTP server refused" in page
    client.force_login(team_people.member)
    assert "Invitations not sent" not in client.get("/t/ml/schedule/").content.decode()
    assert client.post("/t/ml/schedule/invitations/retry/").status_code == 403

    # The server is back: "Retry now" sends them.
    client.force_login(team_people.lead)
    assert client.post("/t/ml/schedule/invitations/retry/").status_code == 302
    assert len(mail.outbox) == 3
    assert all(s.sent_at and s.attempts == 2 and not s.last_error for s in sends.all())
    assert "Invitations not sent" not in client.get("/t/ml/schedule/").content.decode()


IMMEDIATE = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}
DEFERRING = {
    "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}
}


@override_settings(TASKS=DEFERRING)
def test_a_failed_send_is_queued_again_with_a_growing_delay(team_people, as_user):
    backend = task_backends["default"]
    meeting = book(as_user(team_people.lead))
    assert len(backend.results) == 3 and mail.outbox == []  # queued after commit, not sent
    send = InvitationSend.objects.filter(meeting=meeting).first()
    with override_settings(EMAIL_BACKEND=RAISING):
        assert invitations.send_invitation.call(send.pk) == "failed"
    send.refresh_from_db()
    retry = backend.results[-1]
    assert retry.args == [send.pk] and retry.task.run_after == send.next_attempt_at
    first_delay = send.next_attempt_at - timezone.now()
    with override_settings(EMAIL_BACKEND=RAISING):
        invitations.send_invitation.call(send.pk)
    send.refresh_from_db()
    assert send.attempts == 2 and send.next_attempt_at - timezone.now() > first_delay
    # The last attempt gives up (still shown to leads), and a success ends it all.
    InvitationSend.objects.filter(pk=send.pk).update(attempts=invitations.MAX_ATTEMPTS - 1)
    queued = len(backend.results)
    with override_settings(EMAIL_BACKEND=RAISING):
        invitations.send_invitation.call(send.pk)
    send.refresh_from_db()
    assert send.next_attempt_at is None and len(backend.results) == queued
    assert invitations.send_invitation.call(send.pk) == "sent"
    assert invitations.send_invitation.call(send.pk) == "nothing to do"
    assert len(mail.outbox) == 1


@override_settings(TASKS=DEFERRING)
def test_an_old_version_is_not_sent_after_a_newer_one(team_people, as_user):
    api = as_user(team_people.lead)
    meeting = book(api)
    first = InvitationSend.objects.get(meeting=meeting, recipient=team_people.member)
    api.patch(f"{BASE}/meetings/{meeting.pk}/", {"title": "Renamed"})
    assert invitations.send_invitation.call(first.pk) == "superseded"
    newer = InvitationSend.objects.get(meeting=meeting, recipient=team_people.member, sequence=1)
    assert invitations.send_invitation.call(newer.pk) == "sent"
    assert mail.outbox[0].subject.startswith("Updated: Renamed")


@override_settings(TASKS=DEFERRING)
def test_the_command_sends_what_is_due(team_people, as_user):
    meeting = book(as_user(team_people.lead))
    InvitationSend.objects.filter(meeting=meeting).update(
        attempts=1, next_attempt_at=timezone.now() - timedelta(minutes=1)
    )
    later = InvitationSend.objects.filter(recipient=team_people.member)
    later.update(next_attempt_at=timezone.now() + timedelta(hours=1))
    with override_settings(TASKS=IMMEDIATE):
        call_command("send_invitations", stdout=StringIO())
    assert sorted(m.to[0] for m in mail.outbox) == ["lead@example.com", "nyc@example.com"]


def test_retry_delays_grow_then_stop():
    delays = [invitations.retry_delay(n) for n in range(1, invitations.MAX_ATTEMPTS + 1)]
    assert delays[-1] is None
    assert all(a < b for a, b in itertools.pairwise(delays[:-1]))


def test_profile_setting_is_per_person(team_people: TeamPeople):
    profile_update(
        user=team_people.member, receive_invitations=False, fields={"receive_invitations"}
    )
    assert not invitations.wants_invitations(team_people.member)
    assert invitations.wants_invitations(team_people.lead)


def test_seeding_the_demo_invites_nobody(settings):
    # The demo's meetings are history nobody booked: `make run` would otherwise print
    # dozens of invitations before the server starts.
    settings.DEBUG = True  # the demo refuses to seed published passwords otherwise
    call_command("seed_demo", stdout=StringIO())
    assert Meeting.objects.exists()
    assert not InvitationSend.objects.exists() and mail.outbox == []

"""Meeting invitations by email (iTIP in iMIP, RFC 5546 / RFC 6047), through an outbox.

Booking, moving or cancelling a meeting writes one `InvitationSend` row per attendee in the
booking's own transaction, so an invitation is never lost and never sent for a booking that
rolled back. After the commit a background task (django-tasks) sends each one; a failure is
recorded on the row and retried with a growing delay up to MAX_ATTEMPTS, and the rows not sent
are shown to the team's leads on the week page, with a button to try again now.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.utils import parseaddr
from functools import partial

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django_tasks import task, task_backends

from core.feeds import FeedEvent
from teams.models import Profile, Team, display_name

from . import engine
from .adapters import person_timezone
from .engine.calendars import zone_of
from .feed_sources import meeting_events, with_people
from .ical.write import Method, invitation_bytes
from .models import InvitationMethod, InvitationSend, Meeting

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# Wait this long after the n-th failure (1 min, 5 min, 15 min, 1 h, 4 h), then give up.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=4),
)
MAX_ERROR_LENGTH = 500


def retry_delay(attempts: int) -> timedelta | None:
    """How long to wait after `attempts` failed tries; None when it is time to give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def wants_invitations(user: User) -> bool:
    try:
        return user.profile.receive_invitations
    except Profile.DoesNotExist:
        return True


def invitations_queue(
    *,
    meeting: Meeting,
    method: InvitationMethod,
    previous: tuple[datetime, datetime] | None = None,
    removed: Sequence[User] = (),
) -> list[InvitationSend]:
    """Write the outbox rows for this version of the meeting and send them after commit.

    Call it inside the service's transaction. Everyone attending gets `method`; people taken
    off the meeting get a CANCEL. People without an email address, or who turned invitations
    off on /me/, get nothing (their feeds still show the meeting). `previous` is the meeting's
    time before a move, so the email can say what changed.
    """
    attendance = meeting.attendance.select_related("user__profile")
    people: list[tuple[User, InvitationMethod]] = [(a.user, method) for a in attendance]
    people += [(user, InvitationMethod.CANCEL) for user in removed]
    rows = [
        InvitationSend(
            meeting=meeting,
            sequence=meeting.sequence,
            method=how,
            recipient=user,
            email=user.email,
            previous_start=previous[0] if previous else None,
            previous_end=previous[1] if previous else None,
        )
        for user, how in people
        if user.email and wants_invitations(user)
    ]
    created = InvitationSend.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    if ids:
        # robust: a failing enqueue is logged and leaves the rows queued; it never reaches
        # the person who booked, whose meeting is already committed.
        transaction.on_commit(partial(_enqueue_all, ids), robust=True)
    return created


def _enqueue_all(ids: Sequence[int]) -> None:
    for send_id in ids:
        _enqueue(send_id)


def _enqueue(send_id: int, run_after: datetime | None = None) -> None:
    try:
        if run_after is None:
            send_invitation.enqueue(send_id)
        else:
            send_invitation.using(run_after=run_after).enqueue(send_id)
    except Exception:
        # The row stays unsent and visible to leads; "Retry now" or the send_invitations
        # command picks it up.
        logger.exception("Could not queue invitation %s", send_id)


def _can_defer() -> bool:
    return bool(task_backends[send_invitation.backend].supports_defer)


def _words(moment: datetime, zone_name: str) -> str:
    local = moment.astimezone(zone_of(zone_name))
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M}"


def change_sentence(send: InvitationSend, zone_name: str) -> str:
    """ "Moved from Tue 14:00 to Wed 13:30 (Paris)." in the recipient's zone."""
    meeting = send.meeting
    if send.previous_start is None or send.previous_start == meeting.start:
        return ""
    zone = zone_of(zone_name)
    before = send.previous_start.astimezone(zone)
    after = meeting.start.astimezone(zone)
    return (
        f"Moved from {before:%a} {before:%H:%M} to {after:%a} {after:%H:%M} "
        f"({engine.city_name(zone_name)})."
    )


def _event_for(send: InvitationSend, event: FeedEvent) -> FeedEvent:
    if event.organizer is None:
        # iTIP needs an ORGANIZER; an organizer without an address (or gone) is spoken for
        # by the address the invitations come from.
        organizer = send.meeting.organizer
        name = display_name(organizer) if organizer else "Focusboard"
        event = dataclasses.replace(
            event, organizer=(name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1])
        )
    if send.method == InvitationMethod.CANCEL and not event.cancelled:
        # Taken off a meeting that goes on: for this person it is cancelled.
        return dataclasses.replace(
            event, cancelled=True, attendees=tuple(a for a in event.attendees if a[1] == send.email)
        )
    return event


def invitation_message(send: InvitationSend, event: FeedEvent) -> EmailMultiAlternatives:
    """The email: a plain-text part in the recipient's own time, the iTIP part that calendars
    act on, and the same as an .ics attachment for clients that only look there."""
    meeting = send.meeting
    event = _event_for(send, event)
    method = Method.CANCEL if event.cancelled else Method.REQUEST
    zone_name = person_timezone(send.recipient, meeting.team)
    end = meeting.end.astimezone(zone_of(zone_name))
    when = f"{_words(meeting.start, zone_name)}-{end:%H:%M} ({engine.city_name(zone_name)} time)"
    organizer = display_name(meeting.organizer) if meeting.organizer else "Someone"
    if method is Method.CANCEL:
        subject = f"Cancelled: {meeting.title} ({when})"
        opening = f"“{meeting.title}” is cancelled for you."
    elif send.previous_start is not None and send.previous_start != meeting.start:
        subject = f"Moved: {meeting.title} ({when})"
        opening = change_sentence(send, zone_name)
    elif send.sequence > 0:
        subject = f"Updated: {meeting.title} ({when})"
        opening = f"“{meeting.title}” has changed."
    else:
        subject = f"Invitation: {meeting.title} ({when})"
        opening = f"{organizer} invited you to “{meeting.title}” in {meeting.team.name}."
    people = ", ".join(
        f"{display_name(a.user)} ({'required' if a.required else 'optional'})"
        for a in meeting.attendance.all()
    )
    lines = [opening, "", f"When: {when}", f"Who: {people}" if people else ""]
    lines += ["", event.description, ""]
    lines.append(
        "Your calendar adds or updates this meeting from the attached invitation. "
        f"Turn these emails off in Focusboard: {settings.FOCUSBOARD_BASE_URL}{reverse('me')}"
    )
    body = "\n".join(line for line in lines if line is not None)
    ics = invitation_bytes(event, method).decode()
    # Replies ("can we move it?") go to the organizer, not to the sending address.
    reply_to = [meeting.organizer.email] if meeting.organizer and meeting.organizer.email else []
    message = EmailMultiAlternatives(subject=subject, body=body, to=[send.email], reply_to=reply_to)
    # RFC 6047: the iTIP part is text/calendar with the method as a parameter.
    message.attach_alternative(ics, f"text/calendar; method={method}")
    message.attach(
        "invite.ics" if method is Method.REQUEST else "cancel.ics", ics, "application/ics"
    )
    return message


@task()
def send_invitation(send_id: int) -> str:
    """Send one outbox row. A failure is recorded and, while attempts remain, queued again
    with a growing delay (where the task backend can defer; otherwise "Retry now" or the
    send_invitations command does it)."""
    send = (
        InvitationSend.objects.select_related("meeting__team", "recipient__profile")
        .filter(pk=send_id)
        .first()
    )
    if send is None or send.sent_at is not None:
        return "nothing to do"
    meeting = with_people(Meeting.objects.filter(pk=send.meeting_id)).get()
    send.meeting = meeting
    if meeting.sequence != send.sequence:
        # A newer version of the meeting has its own rows; an old one would only confuse.
        InvitationSend.objects.filter(pk=send.pk).update(superseded=True, next_attempt_at=None)
        return "superseded"
    (event,) = meeting_events([meeting], base_url=settings.FOCUSBOARD_BASE_URL)
    now = timezone.now()
    try:
        invitation_message(send, event).send()
    except Exception as exc:
        attempts = send.attempts + 1
        delay = retry_delay(attempts)
        next_at = now + delay if delay is not None else None
        InvitationSend.objects.filter(pk=send.pk).update(
            attempts=attempts,
            last_error=f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH],
            next_attempt_at=next_at,
        )
        logger.warning("Invitation %s not sent (attempt %s): %s", send.pk, attempts, exc)
        if next_at is not None and _can_defer():
            _enqueue(send.pk, run_after=next_at)
        return "failed"
    InvitationSend.objects.filter(pk=send.pk).update(
        attempts=send.attempts + 1, sent_at=now, last_error="", next_attempt_at=None
    )
    return "sent"


def unsent_invitations(team: Team) -> QuerySet[InvitationSend]:
    """What leads see: the team's invitations not (yet) sent, newest first."""
    return InvitationSend.objects.filter(
        meeting__team=team, sent_at__isnull=True, superseded=False
    ).select_related("meeting", "recipient")


def invitations_retry(*, sends: QuerySet[InvitationSend]) -> int:
    """Try the given unsent invitations again now (a lead's button, the command)."""
    ids = list(sends.filter(sent_at__isnull=True, superseded=False).values_list("pk", flat=True))
    _enqueue_all(ids)
    return len(ids)

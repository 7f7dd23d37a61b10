"""The team's week: the picture, proposing and booking meetings, the maker report, rebalance
suggestions; a person's own busy calendars (/me/calendars/, for every team); and the maker
policy page.

Every action is a plain form POST that redirects (works without JavaScript); with htmx the
same URLs answer with the parts of templates/schedule/week.html that changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.confirm import confirm_first
from core.errors import REFUSALS, Refusal, form_refusal, refusal, validation_sentence
from core.forms import apply_errors
from core.limits import MULTIPART_OVERHEAD_BYTES, body_limit
from core.rules import RuleViolation
from teams.models import Role
from teams.permissions import AuthedRequest, TeamAccess, team_access

from . import adapters, engine, picture, proposals, selectors, services, weeks
from .attendees import attendee_choices
from .feeds import feed_urls
from .forms import (
    BookForm,
    BusyUploadForm,
    BusyUrlForm,
    FeedCreateForm,
    MakerPolicyForm,
    MoveForm,
    ProposeForm,
)
from .ical.read import MAX_ICS_BYTES, size_refusal
from .invitations import invitations_retry, unsent_invitations, wants_invitations
from .models import BusySource, FeedToken, Meeting


@dataclass(frozen=True)
class ProposalView:
    """A proposal with what the page shows about it."""

    proposal: engine.Proposal
    rank: int
    attendees: list[tuple[str, str, str, str]]  # name, window kind, words, "13:00 Paris"

    @property
    def start(self) -> datetime:
        return self.proposal.start

    @property
    def end(self) -> datetime:
        return self.proposal.end


def _week_param(raw: str | None, today: date) -> tuple[date, str | None]:
    try:
        return weeks.parse_week(raw, today=today), None
    except ValidationError as exc:
        return weeks.parse_week(None, today=today), validation_sentence(exc)


def _day_param(raw: str | None, week_days: list[date], now: datetime) -> date:
    """The phone's day view: the asked day when it is in the week shown, else today when the
    week is this one, else its Monday. A bad value is no error: it is only a view."""
    try:
        asked = date.fromisoformat(raw or "")
    except ValueError:
        asked = None
    if asked in week_days:
        return asked
    return now.date() if now.date() in week_days else week_days[0]


def _week_url(team_slug: str, monday: date) -> str:
    query = urlencode({"week": weeks.week_label(monday)})
    return f"{reverse('schedule:week', args=[team_slug])}?{query}"


def _board_context(
    request: AuthedRequest, access: TeamAccess, monday: date, viewer_tz: str
) -> dict[str, Any]:
    """Everything the week's picture, meetings, report and rebalance need (fixed queries)."""
    team = access.team
    now = timezone.now()
    policy = selectors.policy_for(team)
    calendar = selectors.week_calendar(team, monday, weeks_before=1, policy=policy)
    week_start, week_end = weeks.week_bounds(monday, viewer_tz)
    report = selectors.maker_report(team, monday, calendar=calendar)
    suggestions = (
        selectors.rebalance(team, monday, now=now, calendar=calendar) if access.can_edit else []
    )
    week_days = [monday + timedelta(days=i) for i in range(picture.DAYS)]
    day = _day_param(request.GET.get("day"), week_days, now.astimezone(ZoneInfo(viewer_tz)))
    meetings = selectors.meeting_lines(team, start=week_start, end=week_end)
    pictures = {
        name: picture.build(
            calendar,
            monday=monday,
            viewer_timezone=viewer_tz,
            viewer_username=request.user.username,
            now=now,
            day=one_day,
        )
        for name, one_day in (("picture", None), ("day_picture", day))
    }
    return {
        "now": now,
        "monday": monday,
        "week": weeks.week_label(monday),
        "previous_week": weeks.week_label(monday - timedelta(weeks=1)),
        "next_week": weeks.week_label(monday + timedelta(weeks=1)),
        "this_week": weeks.week_label(weeks.parse_week(None, today=now.date())),
        "friday": monday + timedelta(days=4),
        **pictures,
        "week_days": week_days,
        "day": day,
        "meetings": meetings,
        "day_meetings": [
            line
            for line in meetings
            if line.meeting.start.astimezone(ZoneInfo(viewer_tz)).date() == day
        ],
        "report": report,
        "people_rows": report.people,
        "suggestions": suggestions,
        "policy": policy,
        "policy_windows": adapters.policy_windows(policy),
        "people": attendee_choices(calendar.memberships),
    }


def _page_context(
    request: AuthedRequest,
    access: TeamAccess,
    monday: date,
    *,
    propose_form: ProposeForm | None = None,
    proposals: list[ProposalView] | None = None,
    planner_error: str = "",
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    team = access.team
    viewer_tz = adapters.person_timezone(request.user, team)
    context = _board_context(request, access, monday, viewer_tz)
    today = timezone.now().astimezone(ZoneInfo(viewer_tz)).date()
    context.update(
        {
            "access": access,
            "team": team,
            "section": "schedule",
            "viewer_tz": viewer_tz,
            "viewer_city": engine.city_name(viewer_tz),
            "propose_form": propose_form
            or ProposeForm(people=context["people"], today=max(today, monday)),
            "proposals": proposals,
            "planner_error": planner_error,
            "warnings": warnings or [],
            "sources": list(selectors.busy_sources_for(request.user)),
            "unsent_invitations": list(unsent_invitations(team)[:UNSENT_SHOWN])
            if access.is_lead
            else [],
        }
    )
    return context


def _render(
    request: AuthedRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render with the viewer's zone active: every time on the page is theirs."""
    with timezone.override(ZoneInfo(context.get("viewer_tz") or "UTC")):
        return render(request, template, context, status=status)


@login_required
@require_GET
def week(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug)
    today = weeks.team_today(access.team, timezone.now())
    monday, error = _week_param(request.GET.get("week"), today)
    context = _page_context(request, access, monday)
    context["week_error"] = error
    return _render(request, "schedule/week.html", context, status=400 if error else 200)


# --- Propose and book ----------------------------------------------------------------------


def _local_words(moment: datetime) -> str:
    return f"{moment:%a %H:%M} {engine.city_name(str(moment.tzinfo))}"


def _proposal_views(result: engine.ProposalResult, names: dict[str, str]) -> list[ProposalView]:
    views = []
    for rank, proposal in enumerate(result.proposals, start=1):
        attendees = [
            (
                names.get(u, u),
                kind or "none",
                engine.WINDOW_LABEL.get(kind or "", "not at work"),
                _local_words(local),
            )
            for u, kind in proposal.windows.items()
            for local in [proposal.local_times[u]]
        ]
        views.append(ProposalView(proposal, rank, attendees))
    return views


def _render_planner(
    request: AuthedRequest,
    access: TeamAccess,
    monday: date,
    status: int,
    **planner: Any,
) -> HttpResponse:
    context = _page_context(request, access, monday, **planner)
    template = "schedule/week.html#planner" if request.htmx else "schedule/week.html"
    # base.html's htmx-config swaps 400 and 409 answers too, so the status stays honest.
    return _render(request, template, context, status=status)


@login_required
@require_POST
def propose(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.MEMBER)
    team = access.team
    today = weeks.team_today(team, timezone.now())
    monday, _ = _week_param(request.POST.get("week"), today)
    people = attendee_choices(selectors.members(team))
    form = ProposeForm(request.POST, people=people, today=today)
    if not form.is_valid():
        return _render_planner(request, access, monday, 400, propose_form=form)
    data = form.cleaned_data
    try:
        result = proposals.propose_slots(
            team,
            viewer=request.user,
            duration_minutes=data["duration_minutes"],
            attendees=data["attendees"],
            optional_attendees=data["optional_attendees"],
            earliest=data["earliest"],
            latest=data["latest"],
            allow_maker_time=data["allow_maker_time"],
        )
    except RuleViolation as exc:
        form.add_error("duration_minutes", exc.message)
        return _render_planner(request, access, monday, 409, propose_form=form)
    except ValidationError as exc:
        apply_errors(form, exc)
        return _render_planner(request, access, monday, 400, propose_form=form)
    return _render_planner(
        request,
        access,
        monday,
        200,
        propose_form=form,
        proposals=_proposal_views(result, dict(people)),
        warnings=list(result.warnings),
    )


def _changed(
    request: AuthedRequest,
    access: TeamAccess,
    monday: date,
    message: str,
    *,
    reset_planner: bool = False,
) -> HttpResponse:
    """After a change: with htmx the updated parts of the page, else back to the week."""
    if not request.htmx:
        messages.success(request, message)
        return redirect(_week_url(access.team.slug, monday))
    context = _page_context(request, access, monday)
    context.update({"feedback": message, "feedback_ok": True, "reset_planner": reset_planner})
    response = _render(request, "schedule/week.html#updated", context)
    response["HX-Push-Url"] = _week_url(access.team.slug, monday)
    return response


def _refused(
    request: AuthedRequest, access: TeamAccess, monday: date, refused: Refusal
) -> HttpResponse:
    """A rule or bad input in the way: a sentence for the person, never a 500."""
    if not request.htmx:
        messages.error(request, refused.message)
        return redirect(_week_url(access.team.slug, monday))
    response = render(
        request,
        "schedule/week.html#feedback",
        {"feedback": refused.message, "feedback_ok": False, "oob": True},
    )
    response.status_code = refused.status  # swapped anyway: see htmx-config in base.html
    response["HX-Reswap"] = "none"  # keep the page; only the message (out of band) changes
    return response


@login_required
@require_POST
def book(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.MEMBER)
    team = access.team
    today = weeks.team_today(team, timezone.now())
    monday, _ = _week_param(request.POST.get("week"), today)
    form = BookForm(request.POST, people=attendee_choices(selectors.members(team)))
    if not form.is_valid():
        return _refused(request, access, monday, form_refusal(form))
    try:
        booking = services.meeting_create(team=team, organizer=request.user, **form.cleaned_data)
    except REFUSALS as exc:
        return _refused(request, access, monday, refusal(exc))
    meeting = booking.meeting
    viewer_tz = adapters.person_timezone(request.user, team)
    start = meeting.start.astimezone(ZoneInfo(viewer_tz))
    end = meeting.end.astimezone(ZoneInfo(viewer_tz))
    message = (
        f"Booked “{meeting.title}” on {start:%a} {start.day} {start:%b}, {start:%H:%M}-{end:%H:%M}."
    )
    if booking.warnings:
        message += " " + " ".join(booking.warnings)
    return _changed(
        request, access, weeks.monday_at(meeting.start, viewer_tz), message, reset_planner=True
    )


def _meeting(access: TeamAccess, meeting_id: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("team"), pk=meeting_id, team=access.team
    )


@login_required
@require_POST
def meeting_cancel(request: AuthedRequest, team_slug: str, meeting_id: int) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.MEMBER)
    today = weeks.team_today(access.team, timezone.now())
    monday, _ = _week_param(request.POST.get("week"), today)
    try:
        meeting = services.meeting_cancel(meeting=_meeting(access, meeting_id))
    except REFUSALS as exc:
        return _refused(request, access, monday, refusal(exc))
    return _changed(request, access, monday, f"Cancelled “{meeting.title}”.")


@login_required
@require_POST
def meeting_move(request: AuthedRequest, team_slug: str, meeting_id: int) -> HttpResponse:
    """Apply a rebalance suggestion (or any move): the same rules as booking."""
    access = team_access(request.user, team_slug, min_role=Role.MEMBER)
    meeting = _meeting(access, meeting_id)
    today = weeks.team_today(access.team, timezone.now())
    monday, _ = _week_param(request.POST.get("week"), today)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, monday, form_refusal(form))
    try:
        booking = services.meeting_update(
            meeting=meeting, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
        )
    except REFUSALS as exc:
        return _refused(request, access, monday, refusal(exc))
    viewer_tz = ZoneInfo(adapters.person_timezone(request.user, access.team))
    start = booking.meeting.start.astimezone(viewer_tz)
    return _changed(
        request,
        access,
        monday,
        f"Moved “{booking.meeting.title}” to {start:%a} {start:%H:%M}.",
    )


# --- Busy calendars ------------------------------------------------------------------------
# A person's calendars are theirs and count in every team they are in: they live at
# /me/calendars/, and the week page links there.


def _back() -> HttpResponse:
    return redirect("schedule:my-calendars")


def _skipped_words(source: BusySource) -> str:
    count = source.skipped_count
    if not count:
        return ""
    return (
        f" {count} event{pluralize(count)} could not be read and "
        f"{'was' if count == 1 else 'were'} skipped; the list is next to the calendar."
    )


def _busy_refresh(
    request: AuthedRequest,
    do_import: Callable[[], BusySource],
    *,
    failed: str,
    done: Callable[[BusySource], str],
) -> None:
    """Refresh one calendar and tell the person how it went: what was imported and skipped,
    or why nothing was (their earlier busy time is kept, the reason is on its row)."""
    try:
        source = do_import()
    except services.BusyImportFailed as exc:
        messages.error(request, f"{failed} {exc.reason}")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done(source) + _skipped_words(source))


def _calendars_page(
    request: AuthedRequest,
    *,
    upload_form: BusyUploadForm | None = None,
    url_form: BusyUrlForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "schedule/my_calendars.html",
        {
            "sources": list(selectors.busy_sources_for(request.user)),
            "teams": [m.team for m in request.user.memberships.select_related("team")],
            "upload_form": upload_form or BusyUploadForm(),
            "url_form": url_form or BusyUrlForm(),
        },
        status=status,
    )


@login_required
@require_GET
def my_calendars(request: AuthedRequest) -> HttpResponse:
    return _calendars_page(request)


def _import_into_form(
    request: AuthedRequest,
    form: BusyUploadForm | BusyUrlForm,
    field: str,
    do_import: Callable[[], BusySource],
    *,
    failed: str,
    done: Callable[[BusySource], str],
) -> HttpResponse:
    """A new calendar (file or address): when it cannot be imported, the page comes back with
    the reason under the form it was sent from (400), never on another calendar's row."""
    try:
        source = do_import()
    except services.BusyImportFailed as exc:
        form.add_error(field, f"{failed} {exc.reason}")
    except ValidationError as exc:
        form.add_error(field, " ".join(exc.messages))
    else:
        messages.success(request, done(source) + _skipped_words(source))
        return _back()
    if isinstance(form, BusyUploadForm):
        return _calendars_page(request, upload_form=form, status=400)
    return _calendars_page(request, url_form=form, status=400)


@body_limit(MAX_ICS_BYTES + MULTIPART_OVERHEAD_BYTES, size_refusal())
@login_required
@require_POST
def busy_upload(request: AuthedRequest) -> HttpResponse:
    form = BusyUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        form.errors.clear()
        form.add_error("file", "Choose an .ics file to upload.")
        return _calendars_page(request, upload_form=form, status=400)
    file = form.cleaned_data["file"]
    name = (file.name or "calendar.ics").rsplit("/", 1)[-1]
    return _import_into_form(
        request,
        form,
        "file",
        lambda: services.busy_source_import_file(user=request.user, file=file),
        failed=f"{name} was not imported (your earlier busy time is kept):",
        done=lambda s: f"Imported {s.interval_count} busy intervals from {s.filename}.",
    )


@login_required
@require_POST
def busy_add_url(request: AuthedRequest) -> HttpResponse:
    form = BusyUrlForm(request.POST)
    if not form.is_valid():
        return _calendars_page(request, url_form=form, status=400)
    return _import_into_form(
        request,
        form,
        "url",
        lambda: services.busy_source_add_url(user=request.user, url=form.cleaned_data["url"]),
        failed="The calendar was not added:",
        done=lambda s: f"Added {s.display_url}: {s.interval_count} busy intervals.",
    )


def _own_source(request: AuthedRequest, source_id: int) -> BusySource:
    """Someone else's calendar is a plain 404: its existence is not theirs to know."""
    return get_object_or_404(
        BusySource.objects.select_related("user"), pk=source_id, user=request.user
    )


@login_required
@require_POST
def busy_refresh(request: AuthedRequest, source_id: int) -> HttpResponse:
    source = _own_source(request, source_id)
    _busy_refresh(
        request,
        lambda: services.busy_source_refresh(source=source),
        failed="Refresh failed, your earlier busy time is kept.",
        done=lambda s: f"Refreshed: {s.interval_count} busy intervals.",
    )
    return _back()


@login_required
@require_POST
def busy_delete(request: AuthedRequest, source_id: int) -> HttpResponse:
    source = _own_source(request, source_id)
    label = source.label
    if asked := confirm_first(
        request,
        question=f"Remove {label}?",
        consequence="Its busy time leaves your schedule, and its address is forgotten (it is "
        "often a private link). To use it again, add it again.",
        button="Remove the calendar",
        back=reverse("schedule:my-calendars"),
    ):
        return asked
    services.busy_source_delete(source=source)
    messages.success(request, f"Removed {label} and its busy time.")
    return _back()


# --- Maker policy ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def policy(request: AuthedRequest, team_slug: str) -> HttpResponse:
    """Everyone in the team reads the policy; only leads change it."""
    needed = Role.LEAD if request.method == "POST" else Role.VIEWER
    access = team_access(request.user, team_slug, min_role=needed)
    current = selectors.policy_for(access.team)
    # The form gets its own copy: a rejected POST must not change what the page describes.
    form = MakerPolicyForm(request.POST or None, instance=selectors.policy_for(access.team))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.maker_policy_update(team=access.team, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "The maker policy is saved.")
                return redirect("schedule:policy", team_slug=team_slug)
        status = 400
    if not access.is_lead:
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "schedule/policy.html",
        {
            "access": access,
            "team": access.team,
            "section": "schedule",
            "form": form,
            "policy": current,
            "windows": adapters.policy_windows(current),
        },
        status=status,
    )


# --- Calendar feeds: /me/feeds/ --------------------------------------------------------------


def _my_teams(user: Any) -> list[Any]:
    return [m.team for m in user.memberships.select_related("team").order_by("team__name")]


def _feeds_page(
    request: AuthedRequest,
    *,
    form: FeedCreateForm | None = None,
    shown: tuple[FeedToken, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    teams = _my_teams(request.user)
    new_url = webcal_url = ""
    if shown is not None:
        new_url, webcal_url = feed_urls(request, shown[1])
    now = timezone.now()
    tokens = FeedToken.objects.live().filter(user=request.user).select_related("team")
    context = {
        "feeds": [(token, _fetched_words(token.last_used_at, now)) for token in tokens],
        "form": form or FeedCreateForm(teams=teams),
        "shown": shown[0] if shown else None,
        "new_url": new_url,
        "webcal_url": webcal_url,
        "receive_invitations": wants_invitations(request.user),
    }
    return render(request, "schedule/me_feeds.html", context, status=status)


def _fetched_words(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    if now - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment, now)} ago"


def _my_feed(request: AuthedRequest, token_id: int) -> FeedToken:
    return get_object_or_404(FeedToken.objects.live(), pk=token_id, user=request.user)


@login_required
@require_http_methods(["GET", "POST"])
def me_feeds(request: AuthedRequest) -> HttpResponse:
    """My calendar feed addresses: create one (its address is shown once), see when and by
    what each was last fetched, rotate or revoke it."""
    if request.method != "POST":
        return _feeds_page(request)
    form = FeedCreateForm(request.POST, teams=_my_teams(request.user))
    if not form.is_valid():
        return _feeds_page(request, form=form, status=400)
    scope, team = form.scope_and_team()
    try:
        token, secret = services.feed_token_create(
            user=request.user,
            scope=scope,
            team=team,
            include_maker_blocks=form.cleaned_data["include_maker_blocks"],
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return _feeds_page(request, form=form, status=400)
    return _feeds_page(request, shown=(token, secret), status=201)


@login_required
@require_POST
def me_feed_rotate(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = _my_feed(request, token_id)
    secret = services.feed_token_rotate(token=token)
    return _feeds_page(request, shown=(token, secret))


@login_required
@require_POST
def me_feed_revoke(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = _my_feed(request, token_id)
    if asked := confirm_first(
        request,
        question="Revoke this feed address?",
        consequence="Calendars subscribed to it stop updating. Rotate instead if you only "
        "want a new address for the same feed.",
        button="Revoke the address",
        back=reverse("schedule:me-feeds"),
    ):
        return asked
    services.feed_token_revoke(token=token)
    messages.success(
        request, "That feed address no longer works; calendars using it stop updating."
    )
    return redirect("schedule:me-feeds")


# --- Invitations not sent (leads) -------------------------------------------------------------

UNSENT_SHOWN = 20


@login_required
@require_POST
def invitations_retry_view(request: AuthedRequest, team_slug: str) -> HttpResponse:
    """Try the team's unsent invitations again now (after fixing the mail server)."""
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    count = invitations_retry(sends=unsent_invitations(access.team))
    messages.success(request, f"Tried {count} invitation{'s' if count != 1 else ''} again.")
    return redirect(reverse("schedule:week", args=[team_slug]) + "#invitations")

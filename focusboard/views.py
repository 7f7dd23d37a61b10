"""The focus board, its history, the plain-text focus and the wall screen."""

from __future__ import annotations

import math
import time
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework.exceptions import AuthenticationFailed

from core.confirm import confirm_first
from core.errors import REFUSALS, Refusal, form_refusal, refusal
from core.rules import RuleCode, RuleViolation
from core.undo import UndoOffer, offer_undo
from core.wall import Region, panels_generation, wall_panels
from teams.authentication import ApiTokenAuthentication
from teams.models import Role, Team
from teams.permissions import AuthedRequest, TeamAccess, team_access

from . import selectors, services
from .forms import (
    SCREEN_NAME_REFUSED,
    FocusItemForm,
    KioskTokenForm,
    OutcomeForm,
    SwapForm,
    UndoForm,
    WallPlaylistForm,
)
from .history_chart import history_chart
from .models import (
    CLOSINGS,
    OUTCOME_MAX_LENGTH,
    FocusEvent,
    FocusItem,
    FocusStatus,
    KioskToken,
    WallPlaylist,
    WallPlaylistToken,
    WallScreen,
)

# --- The board ------------------------------------------------------------------------------


def _board_context(access: TeamAccess, **extra: Any) -> dict[str, Any]:
    team = access.team
    return {
        "access": access,
        "team": team,
        "section": "board",
        "board": selectors.board(team),
        # Item URLs are built from this prefix in the template: reversing a URL per button
        # per item was most of the board's rendering time (see bench/bench_views.py).
        "items_url": reverse("focusboard:item-add", args=[team.slug]),
        "add_form": extra.pop("add_form", None) or FocusItemForm(team=team),
        **extra,
    }


def _board_response(
    request: AuthedRequest,
    access: TeamAccess,
    refused: Refusal | None = None,
    *,
    undo: UndoOffer | None = None,
    done: str = "",
    **extra: Any,
) -> HttpResponse:
    """htmx gets the re-rendered board fragment (with the message, and 400/409 when something
    was refused); a plain form post is redirected back to the board with the message. A
    refused add is the exception: without JS the whole page is rendered with 409 so the form
    keeps what was typed. `undo` is shown as a toast; `done` as a passing message."""
    error = refused.message if refused else ""
    if request.htmx:
        context = _board_context(access, error=error, board_undo=undo, notice=done, **extra)
        status = refused.status if refused else 200
        return render(request, "focusboard/board.html#board", context, status=status)
    if refused and "add_form" in extra:
        context = _board_context(access, error=error, **extra)
        return render(request, "focusboard/board.html", context, status=refused.status)
    if error:
        messages.error(request, error)
    if done:
        messages.success(request, done)
    if undo:
        offer_undo(request, undo)
    return redirect("focusboard:board", team_slug=access.team.slug)


@login_required
@require_GET
def board(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug)
    template = "focusboard/board.html#board" if request.htmx else "focusboard/board.html"
    return render(request, template, _board_context(access))


@login_required
@require_POST
def item_add(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.MEMBER)
    form = FocusItemForm(request.POST, team=access.team)
    if not form.is_valid():
        return _board_response(request, access, form_refusal(form), add_form=form)
    parked = request.POST.get("status") == FocusStatus.PARKED
    try:
        services.focus_item_add(
            team=access.team,
            actor=request.user,
            status=FocusStatus.PARKED if parked else FocusStatus.ACTIVE,
            **form.cleaned_data,
        )
    except REFUSALS as exc:
        return _board_response(request, access, refusal(exc), add_form=form)
    return _board_response(request, access)


ACTIONS = {
    "park": services.focus_item_park,
    "activate": services.focus_item_activate,
}
# Finish and drop take an optional outcome and offer an undo.
CLOSING = {
    "finish": (services.focus_item_finish, "Finished"),
    "drop": (services.focus_item_drop, "Dropped"),
}


def _undo_offer(access: TeamAccess, item: FocusItem, verb: str) -> UndoOffer:
    """The toast after a finish or drop: Undo names the exact event, so an undo that comes
    after someone else changed the item is refused rather than undoing their change."""
    event = (
        FocusEvent.objects.filter(item=item, kind__in=CLOSINGS)
        .order_by("-at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    base = reverse("focusboard:item-add", args=[access.team.slug])
    return UndoOffer(
        message=f"{verb} “{item.title}”.",
        action=f"{base}{item.pk}/undo/",
        fields={"event": str(event)},
        label=f"Undo: {verb.lower()} “{item.title}”",
        note_action="" if item.outcome else f"{base}{item.pk}/outcome/",
        note_max_length=OUTCOME_MAX_LENGTH,
    )


def _closing_action(
    request: AuthedRequest, access: TeamAccess, item: FocusItem, action: str
) -> HttpResponse:
    service, verb = CLOSING[action]
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        return _board_response(request, access, form_refusal(form))
    try:
        item = service(item=item, actor=request.user, outcome=form.cleaned_data["outcome"])
    except REFUSALS as exc:
        return _board_response(request, access, refusal(exc))
    return _board_response(request, access, undo=_undo_offer(access, item, verb))


def _undo(request: AuthedRequest, access: TeamAccess, item: FocusItem) -> HttpResponse:
    form = UndoForm(request.POST)
    event = None
    if not form.is_valid():
        return _board_response(request, access, form_refusal(form))
    if form.cleaned_data["event"] is not None:
        event = FocusEvent.objects.filter(item=item, pk=form.cleaned_data["event"]).first()
        if event is None:
            return _board_response(
                request, access, Refusal("That change is not in this topic's history.", 400)
            )
    try:
        item = services.focus_item_undo(item=item, actor=request.user, event=event)
    except REFUSALS as exc:
        return _board_response(request, access, refusal(exc))
    where = "is back on the board" if item.is_active else "is back in parked"
    return _board_response(request, access, done=f"Undone: “{item.title}” {where}.")


def _outcome(request: AuthedRequest, access: TeamAccess, item: FocusItem) -> HttpResponse:
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        return _board_response(request, access, form_refusal(form))
    try:
        services.focus_item_note_outcome(
            item=item, actor=request.user, outcome=form.cleaned_data["outcome"]
        )
    except REFUSALS as exc:
        return _board_response(request, access, refusal(exc))
    return _board_response(
        request, access, done=f"Outcome of “{item.title}” saved.", show_done=True
    )


@login_required
@require_POST
def item_action(request: AuthedRequest, team_slug: str, pk: int, action: str) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.MEMBER)
    item = get_object_or_404(FocusItem, team=access.team, pk=pk)
    if action in CLOSING:
        return _closing_action(request, access, item, action)
    if action == "undo":
        return _undo(request, access, item)
    if action == "outcome":
        return _outcome(request, access, item)
    try:
        if action in ACTIONS:
            ACTIONS[action](item=item, actor=request.user)
        elif action == "bring-back":
            services.focus_item_bring_back(item=item, actor=request.user)
            return _board_response(
                request, access, done=f"“{item.title}” is back, in parked.", show_done=True
            )
        elif action in ("up", "down"):
            active = list(selectors.focus_items(access.team).values_list("pk", flat=True))
            if item.pk in active:
                index = active.index(item.pk) + (-1 if action == "up" else 1)
                services.focus_item_move(item=item, actor=request.user, position=index)
            else:
                raise RuleViolation(
                    RuleCode.INVALID_TRANSITION, "Only items on the board have an order."
                )
        else:
            raise Http404("No such action.")
    except RuleViolation as exc:
        return _board_response(request, access, refusal(exc))
    return _board_response(request, access)


@login_required
@require_POST
def item_swap(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.MEMBER)
    form = SwapForm(request.POST)
    if not form.is_valid():
        return _board_response(
            request, access, Refusal("Pick an item to park and one to bring in.", 400)
        )
    item = get_object_or_404(FocusItem, team=access.team, pk=form.cleaned_data["item"])
    replace = get_object_or_404(FocusItem, team=access.team, pk=form.cleaned_data["replace"])
    try:
        services.focus_item_swap(item=item, replace=replace, actor=request.user)
    except REFUSALS as exc:
        return _board_response(request, access, refusal(exc))
    return _board_response(request, access)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: AuthedRequest, team_slug: str, pk: int) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.MEMBER)
    item = get_object_or_404(
        FocusItem.objects.select_related("owner", "milestone"), team=access.team, pk=pk
    )
    initial = {
        "title": item.title,
        "why": item.why,
        "owner": item.owner,
        "milestone": item.milestone,
    }
    form = FocusItemForm(request.POST or None, team=access.team, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.focus_item_edit(
                item=item, actor=request.user, fields=set(form.cleaned_data), **form.cleaned_data
            )
        except REFUSALS as exc:
            form.add_error(None, refusal(exc).message)
        else:
            return _board_response(request, access)
    context = {
        "access": access,
        "team": access.team,
        "section": "board",
        "item": item,
        "form": form,
    }
    status = 400 if form.errors else 200
    if request.htmx:
        return render(request, "focusboard/item_edit.html#edit-card", context, status=status)
    return render(request, "focusboard/item_edit.html", context, status=status)


# --- History and plain text -------------------------------------------------------------------


@login_required
@require_GET
def history(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug)
    data = selectors.focus_history(access.team)
    chart = history_chart(data)
    return render(
        request,
        "focusboard/history.html",
        {
            "access": access,
            "team": access.team,
            "section": "board",
            "history": data,
            "chart": chart,
            # Both drawn; CSS shows the wide one on screens and the phone's on a phone.
            "charts": [(chart, "wide"), (history_chart(data, phone=True), "phone")],
            "done": selectors.done_items(access.team, limit=None),
            "items_url": reverse("focusboard:item-add", args=[access.team.slug]),
        },
    )


def _text_user(request: HttpRequest) -> Any:
    """Session user, or the user of an `Authorization: Token <key>` header (for chat bots
    and terminals)."""
    if request.user.is_authenticated:
        return request.user
    result = ApiTokenAuthentication().authenticate(request)  # type: ignore[arg-type]
    return result[0] if result else None


@never_cache
@require_GET
def focus_txt(request: HttpRequest, team_slug: str) -> HttpResponse:
    try:
        user = _text_user(request)
    except AuthenticationFailed as exc:
        return HttpResponse(f"{exc.detail}\n", status=401, content_type="text/plain; charset=utf-8")
    if user is None:
        return redirect_to_login(request.get_full_path())
    access = team_access(user, team_slug)
    context = {"team": access.team, "board": selectors.board(access.team)}
    return render(
        request, "focusboard/focus.txt", context, content_type="text/plain; charset=utf-8"
    )


# --- Wall screen ----------------------------------------------------------------------------

# The rendered wall is cached per team state; each screen's own poll address is put in after.
POLL_URL_SLOT = "__wall-poll-url__"
# Long enough to outlive a minute key; the key changes with every write anyway.
FRAGMENT_SECONDS = 120


def _wall_context(team: Team, *, poll_url: str) -> dict[str, Any]:
    now = selectors.team_now(team)
    # Beside the focus cards, the wall shows what other apps registered (the maker line, the
    # target, the next milestones, alarms): drawn here without importing them.
    panels = wall_panels(team, now)
    return {
        "team": team,
        "board": selectors.board(team, with_parked=False),
        "now": now,
        "poll_url": poll_url,
        "poll_seconds": settings.FOCUSBOARD_WALL_POLL_SECONDS,
        "alert_panels": panels[Region.ALERT],
        "side_panels": panels[Region.SIDE],
    }


def _reload_requested_at(team: Team) -> float | None:
    requested = (
        WallScreen.objects.filter(team=team).values_list("reload_requested_at", flat=True).first()
    )
    return requested.timestamp() if requested is not None else None


def _wall_fragment(team: Team, *, poll: bool) -> tuple[str, float | None]:
    """The team's wall content as HTML, and when a lead last asked screens to reload.

    Drawn once per team state and minute: the key holds the team's wall version (a new value
    with every write to anything the wall shows, in the write's own transaction; read here
    before any of the data, so a cached answer is never older than the version it is filed
    under), the minute (the clock, "maker time until 13:00", "day N"), and the set of panels.
    An unchanged poll costs the queries that find the team and a cache read."""
    now = selectors.team_now(team)
    key = ":".join(
        (
            "wall",
            str(team.pk),
            team.wall_version,
            str(panels_generation()),
            f"{now:%Y%m%d%H%M}",
            str(settings.FOCUSBOARD_WALL_POLL_SECONDS),
            "poll" if poll else "still",
        )
    )
    cached: tuple[str, float | None] | None = cache.get(key)
    if cached is None:
        reload_at = _reload_requested_at(team)
        context = _wall_context(team, poll_url=POLL_URL_SLOT if poll else "")
        cached = (render_to_string("focusboard/wall.html#wall-content", context), reload_at)
        cache.set(key, cached, FRAGMENT_SECONDS)
    return cached


def _since(request: HttpRequest) -> float:
    """When the screen loaded (epoch seconds, sent back by its own polls); anything else,
    including nan and inf, counts as now."""
    try:
        since = float(request.GET.get("since", ""))
    except ValueError:
        return time.time()
    return since if math.isfinite(since) else time.time()


def _poll_url(partial_url: str, since: float, **params: Any) -> str:
    return f"{partial_url}?{urlencode({**params, 'since': int(since)})}"


def _wall_partial(request: HttpRequest, team: Team, partial_url: str) -> HttpResponse:
    since = _since(request)
    html, reload_at = _wall_fragment(team, poll=True)
    if reload_at is not None and reload_at > since:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return HttpResponse(html.replace(POLL_URL_SLOT, escape(_poll_url(partial_url, since))))


@login_required
@never_cache
@require_GET
def wall(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug)
    url = reverse("focusboard:wall-partial", args=[team_slug])
    context = _wall_context(access.team, poll_url=_poll_url(url, time.time()))
    return render(request, "focusboard/wall.html", context)


@login_required
@never_cache
@require_GET
def wall_partial(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug)
    return _wall_partial(request, access.team, reverse("focusboard:wall-partial", args=[team_slug]))


def _screen_headers(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"  # the URL is the credential
    response["X-Robots-Tag"] = "noindex"
    return response


def _disconnected(request: HttpRequest, *, playlist: bool = False) -> HttpResponse:
    """A revoked or unknown screen address: 410 Gone. A screen's poll gets HX-Refresh, so it
    reloads into the page that says so, which polls no more."""
    if request.htmx:  # type: ignore[attr-defined]
        response = HttpResponse(status=410)
        response["HX-Refresh"] = "true"
    else:
        response = render(
            request, "focusboard/wall_disconnected.html", {"playlist": playlist}, status=410
        )
    return _screen_headers(response)


ScreenToken = TypeVar("ScreenToken", KioskToken, WallPlaylistToken)


def _screen(token: ScreenToken | None) -> ScreenToken | None:
    """A wall or playlist screen's live token, marked as seen (its last use is what leads see
    next to it); None for an unknown or revoked one, which the screen shows as disconnected."""
    if token is not None:
        token.mark_used()
    return token


@never_cache
@require_GET
def kiosk_wall(request: HttpRequest, secret: str) -> HttpResponse:
    token = _screen(selectors.kiosk_token_lookup(secret))
    if token is None:
        return _disconnected(request)
    url = reverse("focusboard:kiosk-wall-partial", args=[secret])
    context = _wall_context(token.team, poll_url=_poll_url(url, time.time()))
    return _screen_headers(render(request, "focusboard/wall.html", context))


@never_cache
@require_GET
def kiosk_wall_partial(request: HttpRequest, secret: str) -> HttpResponse:
    token = _screen(selectors.kiosk_token_lookup(secret))
    if token is None:
        return _disconnected(request)
    url = reverse("focusboard:kiosk-wall-partial", args=[secret])
    return _screen_headers(_wall_partial(request, token.team, url))


# --- Kiosk tokens and "reload all screens" (leads) ------------------------------------------------


def settings_section(request: HttpRequest, access: TeamAccess) -> Any:
    from teams.extensions import SettingsSection

    tokens = KioskToken.objects.filter(team=access.team).select_related("created_by")
    return SettingsSection(
        "focusboard/settings_wall.html",
        {
            "tokens": tokens,
            "form": KioskTokenForm(auto_id="id_kiosk_%s"),
            "team": access.team,
            "in_playlists": selectors.opted_in(access.team),
        },
    )


@login_required
@require_POST
def kiosk_create(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    form = KioskTokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, SCREEN_NAME_REFUSED)
        return redirect("teams:settings", team_slug=team_slug)
    token, secret = services.kiosk_token_create(
        team=access.team, actor=request.user, label=form.cleaned_data["label"]
    )
    url = request.build_absolute_uri(reverse("focusboard:kiosk-wall", args=[secret]))
    # Shown once, in this response only: the secret is never stored or put in a message.
    response = render(
        request,
        "focusboard/kiosk_created.html",
        {"access": access, "team": access.team, "section": "settings", "token": token, "url": url},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def kiosk_revoke(request: AuthedRequest, team_slug: str, pk: int) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    token = get_object_or_404(KioskToken, team=access.team, pk=pk)
    if asked := confirm_first(
        request,
        question=f"Revoke the wall screen “{token.label}”?",
        consequence="The screen stops showing the board at its next refresh. To show the "
        "board there again, create a new wall screen address.",
        button="Revoke the screen",
        back=reverse("teams:settings", args=[team_slug]),
    ):
        return asked
    services.kiosk_token_revoke(token=token)
    messages.success(request, f"The wall screen “{token.label}” can no longer see the board.")
    return redirect("teams:settings", team_slug=team_slug)


@login_required
@require_POST
def wall_reload(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    services.wall_reload_all(team=access.team)
    messages.success(request, "Every wall screen reloads at its next refresh.")
    return redirect("teams:settings", team_slug=team_slug)


# --- Wall playlists: a room's screen rotating through several teams' walls ----------------------


@login_required
@require_POST
def wall_playlists_opt(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    opted_in = request.POST.get("in_playlists") == "on"
    services.wall_playlists_opt(team=access.team, opted_in=opted_in)
    messages.success(
        request,
        "Wall playlists may now show this team's wall."
        if opted_in
        else "Wall playlists no longer show this team's wall (from their next turn).",
    )
    return redirect("teams:settings", team_slug=team_slug)


def _managed_playlist(request: AuthedRequest, pk: int) -> WallPlaylist:
    """A playlist the person may change; anyone else's is a plain 404."""
    playlist: WallPlaylist = get_object_or_404(selectors.playlists_managed_by(request.user), pk=pk)
    return playlist


def _save_playlist(
    request: AuthedRequest, form: WallPlaylistForm, playlist: WallPlaylist | None
) -> tuple[WallPlaylist | None, Refusal | None]:
    if not form.is_valid():
        return None, form_refusal(form)
    data = form.cleaned_data
    fields = {
        "actor": request.user,
        "name": data["name"],
        "teams": list(data["teams"]),
        "seconds_per_team": data["seconds_per_team"],
    }
    try:
        if playlist is None:
            return services.wall_playlist_create(**fields), None
        return services.wall_playlist_update(playlist=playlist, **fields), None
    except REFUSALS as exc:
        return None, refusal(exc)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def wall_playlists(request: AuthedRequest) -> HttpResponse:
    form = WallPlaylistForm(request.POST or None)
    refused = None
    if request.method == "POST":
        playlist, refused = _save_playlist(request, form, None)
        if playlist is not None:
            messages.success(request, f"Playlist “{playlist.name}” created. Add a screen to it.")
            return redirect("focusboard:playlist", pk=playlist.pk)
    context = {
        "playlists": selectors.playlists_managed_by(request.user),
        "form": form,
        "error": refused.message if refused else "",
    }
    return render(
        request, "focusboard/playlists.html", context, status=refused.status if refused else 200
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def wall_playlist(request: AuthedRequest, pk: int) -> HttpResponse:
    playlist = _managed_playlist(request, pk)
    initial = {
        "name": playlist.name,
        "teams": list(playlist.teams.all()),
        "seconds_per_team": playlist.seconds_per_team,
    }
    form = WallPlaylistForm(request.POST or None, initial=initial, playlist=playlist)
    refused = None
    if request.method == "POST":
        saved, refused = _save_playlist(request, form, playlist)
        if saved is not None:
            messages.success(request, f"Playlist “{saved.name}” saved.")
            return redirect("focusboard:playlist", pk=saved.pk)
        playlist.refresh_from_db()
    context = {
        "playlist": playlist,
        "form": form,
        "error": refused.message if refused else "",
        "rotation": selectors.playlist_rotation(playlist),
        "teams": list(playlist.teams.all()),
        "tokens": playlist.tokens.select_related("created_by"),
        "token_form": KioskTokenForm(auto_id="id_playlist_screen_%s", initial={"label": "Kitchen"}),
    }
    return render(
        request, "focusboard/playlist.html", context, status=refused.status if refused else 200
    )


@login_required
@require_POST
def playlist_token_create(request: AuthedRequest, pk: int) -> HttpResponse:
    playlist = _managed_playlist(request, pk)
    form = KioskTokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, SCREEN_NAME_REFUSED)
        return redirect("focusboard:playlist", pk=pk)
    token, secret = services.wall_playlist_token_create(
        playlist=playlist, actor=request.user, label=form.cleaned_data["label"]
    )
    url = request.build_absolute_uri(reverse("focusboard:playlist-screen", args=[secret]))
    # Shown once, in this response only.
    response = render(
        request,
        "focusboard/playlist_token_created.html",
        {"playlist": playlist, "token": token, "url": url},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def playlist_token_revoke(request: AuthedRequest, pk: int, token_pk: int) -> HttpResponse:
    playlist = _managed_playlist(request, pk)
    token = get_object_or_404(WallPlaylistToken, playlist=playlist, pk=token_pk)
    if asked := confirm_first(
        request,
        question=f"Revoke the playlist screen “{token.label}”?",
        consequence="The screen says it was disconnected at its next turn. To show the "
        "playlist there again, create a new screen address.",
        button="Revoke the screen",
        back=reverse("focusboard:playlist", args=[pk]),
    ):
        return asked
    services.wall_playlist_token_revoke(token=token, actor=request.user)
    messages.success(request, f"The screen “{token.label}” can no longer show the playlist.")
    return redirect("focusboard:playlist", pk=pk)


def _playlist_turn_context(
    playlist: WallPlaylist, secret: str, *, after: int | None, since: float
) -> dict[str, Any]:
    """The next opted-in team after `after` (the first when it left the rotation): the
    rotation is read at every turn, so a team that opts out is gone from the next one."""
    rotation = selectors.playlist_rotation(playlist)
    team = None
    if rotation:
        ids = [t.pk for t in rotation]
        index = (ids.index(after) + 1) % len(ids) if after in ids else 0
        team = rotation[index]
    url = reverse("focusboard:playlist-screen-turn", args=[secret])
    return {
        "playlist": playlist,
        "team": team,
        "now": selectors.team_now(team) if team else None,
        "fragment": mark_safe(_wall_fragment(team, poll=False)[0]) if team else "",
        "next_url": _poll_url(url, since, after=team.pk if team else ""),
        "seconds": playlist.seconds_per_team,
    }


@never_cache
@require_GET
def playlist_screen(request: HttpRequest, secret: str) -> HttpResponse:
    token = _screen(selectors.playlist_token_lookup(secret))
    if token is None:
        return _disconnected(request, playlist=True)
    context = _playlist_turn_context(token.playlist, secret, after=None, since=time.time())
    return _screen_headers(render(request, "focusboard/playlist_screen.html", context))


@never_cache
@require_GET
def playlist_screen_turn(request: HttpRequest, secret: str) -> HttpResponse:
    token = _screen(selectors.playlist_token_lookup(secret))
    if token is None:
        return _disconnected(request, playlist=True)
    try:
        after: int | None = int(request.GET.get("after", ""))
    except ValueError:
        after = None
    context = _playlist_turn_context(token.playlist, secret, after=after, since=_since(request))
    return _screen_headers(
        render(request, "focusboard/playlist_screen.html#playlist-turn", context)
    )

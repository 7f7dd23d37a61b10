"""The focus board, its history, the plain-text focus and the wall screen."""

from __future__ import annotations

import math
import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from core.errors import REFUSALS, Refusal, form_refusal, refusal
from core.rules import RuleCode, RuleViolation
from core.wall import Region, wall_panels
from teams.models import Role, Team
from teams.permissions import AuthedRequest, TeamAccess, team_access

from . import selectors, services
from .forms import FocusItemForm, KioskTokenForm, SwapForm
from .history_chart import history_chart
from .models import FocusItem, FocusStatus, KioskToken, WallScreen

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
    request: AuthedRequest, access: TeamAccess, refused: Refusal | None = None, **extra: Any
) -> HttpResponse:
    """htmx gets the re-rendered board fragment (with the message, and 400/409 when something
    was refused); a plain form post is redirected back to the board with the message."""
    error = refused.message if refused else ""
    if request.htmx:
        context = _board_context(access, error=error, **extra)
        status = refused.status if refused else 200
        return render(request, "focusboard/board.html#board", context, status=status)
    if error:
        messages.error(request, error)
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
    "finish": services.focus_item_finish,
    "drop": services.focus_item_drop,
}


@login_required
@require_POST
def item_action(request: AuthedRequest, team_slug: str, pk: int, action: str) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.MEMBER)
    item = get_object_or_404(FocusItem, team=access.team, pk=pk)
    try:
        if action in ACTIONS:
            ACTIONS[action](item=item, actor=request.user)
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
    return render(
        request,
        "focusboard/history.html",
        {
            "access": access,
            "team": access.team,
            "section": "board",
            "history": data,
            "chart": history_chart(data),
        },
    )


def _text_user(request: HttpRequest) -> Any:
    """Session user, or the user of an `Authorization: Token <key>` header (for chat bots
    and terminals)."""
    if request.user.is_authenticated:
        return request.user
    result = TokenAuthentication().authenticate(request)  # type: ignore[arg-type]
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


def _wall_context(team: Team, *, partial_url: str, since: float) -> dict[str, Any]:
    now = selectors.team_now(team)
    # Beside the focus cards, the wall shows what other apps registered (the maker line, the
    # target, the next milestones, alarms): drawn here without importing them.
    panels = wall_panels(team, now)
    return {
        "team": team,
        "board": selectors.board(team, with_parked=False),
        "now": now,
        "partial_url": partial_url,
        "since": int(since),
        "poll_seconds": settings.FOCUSBOARD_WALL_POLL_SECONDS,
        "alert_panels": panels[Region.ALERT],
        "side_panels": panels[Region.SIDE],
    }


def _reload_requested(team: Team, since: float) -> bool:
    requested = (
        WallScreen.objects.filter(team=team).values_list("reload_requested_at", flat=True).first()
    )
    return requested is not None and requested.timestamp() > since


def _since(request: HttpRequest) -> float:
    """When the screen loaded (epoch seconds, sent back by its own polls); anything else,
    including nan and inf, counts as now."""
    try:
        since = float(request.GET.get("since", ""))
    except ValueError:
        return time.time()
    return since if math.isfinite(since) else time.time()


def _wall_partial(request: HttpRequest, team: Team, partial_url: str) -> HttpResponse:
    since = _since(request)
    if _reload_requested(team, since):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    context = _wall_context(team, partial_url=partial_url, since=since)
    return render(request, "focusboard/wall.html#wall-content", context)


@login_required
@never_cache
@require_GET
def wall(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug)
    url = reverse("focusboard:wall-partial", args=[team_slug])
    context = _wall_context(access.team, partial_url=url, since=time.time())
    return render(request, "focusboard/wall.html", context)


@login_required
@never_cache
@require_GET
def wall_partial(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug)
    return _wall_partial(request, access.team, reverse("focusboard:wall-partial", args=[team_slug]))


def _kiosk(secret: str) -> KioskToken:
    token = selectors.kiosk_token_lookup(secret)
    if token is None:
        raise Http404("No such wall screen.")
    token.mark_used()
    return token


@never_cache
@require_GET
def kiosk_wall(request: HttpRequest, secret: str) -> HttpResponse:
    token = _kiosk(secret)
    url = reverse("focusboard:kiosk-wall-partial", args=[secret])
    context = _wall_context(token.team, partial_url=url, since=time.time())
    response = render(request, "focusboard/wall.html", context)
    response["Referrer-Policy"] = "no-referrer"  # the URL is the credential
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_GET
def kiosk_wall_partial(request: HttpRequest, secret: str) -> HttpResponse:
    token = _kiosk(secret)
    response = _wall_partial(
        request, token.team, reverse("focusboard:kiosk-wall-partial", args=[secret])
    )
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- Kiosk tokens and "reload all screens" (leads) ------------------------------------------------


def settings_section(request: HttpRequest, access: TeamAccess) -> Any:
    from teams.extensions import SettingsSection

    tokens = KioskToken.objects.filter(team=access.team).select_related("created_by")
    return SettingsSection(
        "focusboard/settings_wall.html",
        {"tokens": tokens, "form": KioskTokenForm(), "team": access.team},
    )


@login_required
@require_POST
def kiosk_create(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    form = KioskTokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the screen a name of up to 60 characters.")
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

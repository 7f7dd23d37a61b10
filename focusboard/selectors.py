"""Reads for the board, the wall screen and the focus history."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from teams.models import Role, Team

from .models import (
    CLOSED,
    FocusEvent,
    FocusEventKind,
    FocusItem,
    FocusStatus,
    KioskToken,
    WallPlaylist,
    WallPlaylistToken,
)


def active_count(team: Team) -> int:
    return FocusItem.objects.filter(team=team, status=FocusStatus.ACTIVE).count()


def team_now(team: Team) -> datetime:
    return timezone.localtime(timezone.now(), ZoneInfo(team.timezone))


def focus_items(team: Team, status: str = FocusStatus.ACTIVE) -> QuerySet[FocusItem]:
    """Items of one status (or "all"), active ones in board order, others newest first."""
    items = FocusItem.objects.filter(team=team).select_related("owner", "milestone")
    if status == "all":
        return items.order_by("status", "position", "-updated_at", "pk")
    items = items.filter(status=status)
    if status == FocusStatus.ACTIVE:
        return items.order_by("position", "pk")
    return items.order_by("-updated_at", "-pk")


# The Done list shows this many of the newest closed topics; the history page shows them all.
DONE_LIST_LENGTH = 30


def done_items(team: Team, *, limit: int | None = DONE_LIST_LENGTH) -> list[FocusItem]:
    """Finished and dropped topics, newest first, in one query."""
    items = (
        FocusItem.objects.filter(team=team, status__in=CLOSED)
        .select_related("owner")
        .order_by("-closed_at", "-pk")
    )
    return list(items[:limit] if limit is not None else items)


def board_days_total(items: Iterable[FocusItem], now: datetime) -> dict[int, int]:
    """Calendar days (in the time zone of `now`) each item has spent on the board across all
    its stretches, today included for an active item, in one query. A day counts once
    however often it was parked and resumed that day."""
    by_id = {item.pk: item for item in items}
    if not by_id:
        return {}
    events = (
        FocusEvent.objects.filter(item_id__in=by_id)
        .order_by("at", "pk")
        .values_list("item_id", "at", "active_after")
    )
    since: dict[int, datetime] = {}
    days: dict[int, set[date]] = {pk: set() for pk in by_id}

    def add_span(pk: int, start: datetime, end: datetime) -> None:
        first = timezone.localtime(start, now.tzinfo).date()
        last = timezone.localtime(end, now.tzinfo).date()
        days[pk].update(first + timedelta(days=n) for n in range((last - first).days + 1))

    for pk, at, active_after in events:
        if active_after and pk not in since:
            since[pk] = at
        elif not active_after and pk in since:
            add_span(pk, since.pop(pk), at)
    for pk, start in since.items():
        add_span(pk, start, now)
    return {pk: len(spans) for pk, spans in days.items()}


@dataclass(frozen=True)
class Board:
    team: Team
    active: list[FocusItem]
    parked: list[FocusItem]
    now: datetime
    done: list[FocusItem] = field(default_factory=list)
    days_total: dict[int, int] = field(default_factory=dict)

    @property
    def is_full(self) -> bool:
        return len(self.active) >= self.team.focus_cap

    @property
    def cards(self) -> list[tuple[FocusItem, int | None]]:
        return [(item, item.days_on_board(self.now)) for item in self.active]

    @property
    def cards_with_totals(self) -> list[tuple[FocusItem, int | None, int]]:
        """(item, day N of the current stretch, days on the board in all)."""
        return [
            (item, day, max(self.days_total.get(item.pk, 0), day or 0)) for item, day in self.cards
        ]

    @property
    def done_list_is_cut(self) -> bool:
        return len(self.done) >= DONE_LIST_LENGTH


def board(team: Team, *, with_parked: bool = True) -> Board:
    """The board in four queries (active, parked, done, the log of the active items); the
    wall screen needs only the first: a fixed number whatever the number of items or
    events."""
    now = team_now(team)
    active = list(focus_items(team, FocusStatus.ACTIVE))
    return Board(
        team=team,
        active=active,
        parked=list(focus_items(team, FocusStatus.PARKED)) if with_parked else [],
        now=now,
        done=done_items(team) if with_parked else [],
        days_total=board_days_total(active, now) if with_parked else {},
    )


def kiosk_token_lookup(secret: str) -> KioskToken | None:
    """The live wall-screen token for a secret, with its team, or None."""
    token: KioskToken | None = KioskToken.objects.select_related("team").for_secret(secret)
    return token


# --- Focus history --------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime | None  # None: still on the board

    def days(self, now: datetime) -> float:
        return ((self.end or now) - self.start).total_seconds() / 86400


@dataclass(frozen=True)
class ItemHistory:
    item: FocusItem
    intervals: list[Interval]


@dataclass(frozen=True)
class History:
    team: Team
    items: list[ItemHistory]
    switches_per_month: list[tuple[str, int]]  # ("2026-10", 4), oldest first, no gaps
    median_days_on_board: float | None
    start: datetime
    now: datetime


def focus_history(team: Team, *, now: datetime | None = None) -> History:
    """Which items were on the board when, built from the event log in two queries.

    A *focus switch* is an item coming onto the board (added as active, resumed, or
    swapped in): each one is a change of what the team thinks about. The median counts
    every stay on the board, a current one up to now.
    """
    now = now or timezone.now()
    tz = ZoneInfo(team.timezone)
    items = {item.pk: item for item in FocusItem.objects.filter(team=team).select_related("owner")}
    events = (
        FocusEvent.objects.filter(team=team)
        .order_by("at", "pk")
        .only("item_id", "kind", "at", "active_after")
    )
    open_since: dict[int, datetime] = {}
    intervals: dict[int, list[Interval]] = {}
    switches: Counter[str] = Counter()
    for event in events:
        was_active = event.item_id in open_since
        if event.active_after and not was_active:
            open_since[event.item_id] = event.at
            # Taking back a finish or drop returns to a topic: not a change of focus.
            if event.kind != FocusEventKind.UNDONE:
                switches[timezone.localtime(event.at, tz).strftime("%Y-%m")] += 1
        elif not event.active_after and was_active:
            start = open_since.pop(event.item_id)
            intervals.setdefault(event.item_id, []).append(Interval(start, event.at))
    for item_id, start in open_since.items():
        intervals.setdefault(item_id, []).append(Interval(start, None))

    histories = sorted(
        (ItemHistory(items[pk], spans) for pk, spans in intervals.items() if pk in items),
        key=lambda h: h.intervals[0].start,
    )
    stays = [span.days(now) for h in histories for span in h.intervals]
    start = min((h.intervals[0].start for h in histories), default=now - timedelta(days=30))
    return History(
        team=team,
        items=histories,
        switches_per_month=_months_with_counts(start, now, tz, switches),
        median_days_on_board=round(statistics.median(stays), 1) if stays else None,
        start=start,
        now=now,
    )


def _months_with_counts(
    start: datetime, now: datetime, tz: ZoneInfo, counts: Counter[str]
) -> list[tuple[str, int]]:
    first = timezone.localtime(start, tz).replace(day=1)
    last = timezone.localtime(now, tz)
    months: list[tuple[str, int]] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        key = f"{year:04d}-{month:02d}"
        months.append((key, counts.get(key, 0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# --- Wall playlists -------------------------------------------------------------------------


def playlists_managed_by(user: Any) -> QuerySet[WallPlaylist]:
    """Playlists a person may change: those with a team they lead (staff: all of them)."""
    playlists = WallPlaylist.objects.all()
    if not user.is_staff:
        playlists = playlists.filter(teams__in=leads_playlists(user)).distinct()
    return playlists.prefetch_related("teams").order_by("name", "pk")


def playlist_token_lookup(secret: str) -> WallPlaylistToken | None:
    """The live playlist-screen token for a secret, with its playlist, or None."""
    token: WallPlaylistToken | None = WallPlaylistToken.objects.select_related(
        "playlist"
    ).for_secret(secret)
    return token


# A team whose leads let playlists show its wall (WallScreen.in_playlists).
OPTED_IN = Q(wall_screen__in_playlists=True)


def leads_playlists(user: Any) -> QuerySet[Team]:
    """The teams whose playlists a person may manage: those they lead (staff: every team)."""
    if user.is_staff:
        return Team.objects.all()
    return Team.objects.filter(memberships__user=user, memberships__role=Role.LEAD)


def opted_in(team: Team) -> bool:
    return Team.objects.filter(OPTED_IN, pk=team.pk).exists()


def playlist_rotation(playlist: WallPlaylist) -> list[Team]:
    """The teams the playlist's screen shows, in turn: only those opted in right now."""
    return list(playlist.teams.filter(OPTED_IN).order_by("name", "pk"))


def playlist_team_choices(playlist: WallPlaylist | None) -> QuerySet[Team]:
    """The teams a playlist may be given: the opted-in ones, and those already on it (kept,
    though its screen skips them while they are opted out)."""
    choices = OPTED_IN if playlist is None else OPTED_IN | Q(wall_playlists=playlist)
    return Team.objects.filter(choices).distinct().order_by("name", "pk")

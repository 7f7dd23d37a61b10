"""Reads for the board, the wall screen and the focus history."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from teams.models import Team

from .models import FocusEvent, FocusItem, FocusStatus, KioskToken


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


@dataclass(frozen=True)
class Board:
    team: Team
    active: list[FocusItem]
    parked: list[FocusItem]
    now: datetime

    @property
    def is_full(self) -> bool:
        return len(self.active) >= self.team.focus_cap

    @property
    def cards(self) -> list[tuple[FocusItem, int | None]]:
        return [(item, item.days_on_board(self.now)) for item in self.active]


def board(team: Team, *, with_parked: bool = True) -> Board:
    """The board in two queries (one without the parked list, as on the wall screen),
    whatever the number of items or events."""
    return Board(
        team=team,
        active=list(focus_items(team, FocusStatus.ACTIVE)),
        parked=list(focus_items(team, FocusStatus.PARKED)) if with_parked else [],
        now=team_now(team),
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

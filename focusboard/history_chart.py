"""Geometry for the focus-history timeline, drawn as server-rendered SVG."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from .selectors import History

WIDTH = 960
LABEL_WIDTH = 250
ROW_HEIGHT = 30
TOP = 28
BAR_HEIGHT = 18
# The phone's timeline: as wide as the screen (so 13 px text stays about 12 px), each topic's
# name above its bars instead of beside them.
PHONE_WIDTH = 320
PHONE_ROW_HEIGHT = 44
PHONE_MARGIN = 8


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    y: float
    css: str
    tooltip: str


@dataclass(frozen=True)
class Row:
    y: float
    label: str
    css: str
    bars: list[Bar]
    label_x: float = LABEL_WIDTH - 10
    anchor: str = "end"  # the phone's names start at the left edge, above the bars


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class MonthBar:
    x: float
    y: float
    height: float
    label: str
    count: int

    @property
    def center(self) -> float:
        return self.x + 18

    @property
    def count_y(self) -> float:
        return self.y - 4


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    rows: list[Row]
    ticks: list[Tick]
    months: list[MonthBar]
    months_width: int


def history_chart(history: History, *, phone: bool = False) -> Chart:
    """The timeline; with `phone`, narrow with each name above its bars."""
    tz = ZoneInfo(history.team.timezone)
    start, end = history.start, history.now
    span = max((end - start).total_seconds(), 86400.0)
    width = PHONE_WIDTH if phone else WIDTH
    left_edge = PHONE_MARGIN if phone else LABEL_WIDTH
    row_height = PHONE_ROW_HEIGHT if phone else ROW_HEIGHT
    plot = width - left_edge - 16

    def x(moment: datetime) -> float:
        return round(left_edge + (moment - start).total_seconds() / span * plot, 1)

    rows = []
    for index, item_history in enumerate(history.items):
        y = TOP + index * row_height
        bar_y = y + row_height - BAR_HEIGHT - 4 if phone else y + (ROW_HEIGHT - BAR_HEIGHT) / 2
        item = item_history.item
        bars = []
        for interval in item_history.intervals:
            left = x(interval.start)
            right = x(interval.end or end)
            stop = (
                "now"
                if interval.end is None
                else f"{timezone.localtime(interval.end, tz):%d %b %Y}"
            )
            bars.append(
                Bar(
                    x=left,
                    width=max(right - left, 3.0),
                    y=bar_y,
                    css=f"bar-{item.status}",
                    tooltip=(
                        f"{item.title}: {timezone.localtime(interval.start, tz):%d %b %Y} → "
                        f"{stop} ({interval.days(end):.0f} days)"
                    ),
                )
            )
        if phone:
            row = Row(y + 12, item.title, item.status, bars, label_x=PHONE_MARGIN, anchor="start")
        else:
            row = Row(y=y + ROW_HEIGHT / 2, label=item.title, css=item.status, bars=bars)
        rows.append(row)

    ticks = []
    for month, _ in history.switches_per_month:
        year, number = (int(part) for part in month.split("-"))
        moment = datetime(year, number, 1, tzinfo=tz)
        if start <= moment <= end:
            ticks.append(Tick(x=x(moment), label=f"{moment:%b}" if phone else f"{moment:%b %Y}"))

    most = max((n for _, n in history.switches_per_month), default=0) or 1
    month_bars = []
    for index, (month, count) in enumerate(history.switches_per_month):
        height = round(count / most * 80, 1)
        year, number = (int(part) for part in month.split("-"))
        month_bars.append(
            MonthBar(
                x=20 + index * 56,
                y=100 - height,
                height=height,
                label=f"{datetime(year, number, 1):%b}",
                count=count,
            )
        )
    return Chart(
        width=width,
        height=TOP + max(len(rows), 1) * row_height + 10,
        label_width=left_edge,
        rows=rows,
        ticks=ticks,
        months=month_bars,
        months_width=max(40 + len(month_bars) * 56, 200),
    )

"""The team's week as a picture: people in rows, Monday to Friday in columns, each day cell a
time line in the viewer's zone showing working hours, lunch, the three meeting windows, busy
time, meetings and the maker blocks long enough to count as focus time.

Only geometry and words are computed here; templates/schedule/week.html draws the SVG (all
colours come from static/css/schedule.css: the CSP allows no inline styles).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from teams.models import Membership, display_name

from . import engine
from .adapters import person_hours, person_timezone, windows_on
from .models import Meeting, MeetingAttendee
from .selectors import TeamCalendar, local_times_line

WIDTH = 1360
LABEL_WIDTH = 150
HEADER = 48
ROW = 64
COLUMN_GAP = 10
DAYS = 5


@dataclass(frozen=True)
class Shape:
    kind: str  # a CSS class: wk-work, wk-lunch, wk-after_lunch, wk-busy, wk-meeting, ...
    x: float
    y: float
    width: float
    height: float
    tooltip: str
    label: str = ""
    meeting_id: int | None = None

    @property
    def label_x(self) -> float:
        return self.x + 4

    @property
    def label_y(self) -> float:
        return self.y + self.height / 2 + 4


@dataclass(frozen=True)
class Column:
    day: date
    label: str
    x: float
    width: float
    is_today: bool

    @property
    def center(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    y1: float
    y2: float


@dataclass(frozen=True)
class Row:
    username: str
    name: str
    place: str
    y: float
    shapes: list[Shape] = field(default_factory=list)

    @property
    def name_y(self) -> float:
        return self.y + ROW / 2 - 3

    @property
    def place_y(self) -> float:
        return self.y + ROW / 2 + 13

    @property
    def line_y(self) -> float:
        return self.y + ROW


@dataclass(frozen=True)
class WeekPicture:
    width: int
    height: int
    viewer_timezone: str
    columns: list[Column]
    rows: list[Row]
    ticks: list[Tick]
    now_x: float | None

    @property
    def label_width(self) -> int:
        return LABEL_WIDTH


def _hm(dt: datetime) -> str:
    return f"{dt:%H:%M}"


def _axis_hours(calendar: TeamCalendar, monday: date, viewer: ZoneInfo) -> tuple[int, int]:
    """The viewer-local hours that cover everyone's workday (a Paris viewer with a colleague
    in New York sees 09:00 to 24:00)."""
    midnight = datetime.combine(monday, time(0), viewer)
    lo: list[float] = []
    hi: list[float] = []
    for m in calendar.memberships:
        hours = person_hours(m.user, calendar.policy)
        zone = ZoneInfo(person_timezone(m.user, calendar.team))
        for t, bucket in ((hours.workday_start, lo), (hours.workday_end, hi)):
            local = engine.wall_time(monday, t, zone).astimezone(viewer)
            bucket.append((local - midnight).total_seconds() / 3600)
    if not lo:
        return 8, 19
    start = max(0, math.floor(min(lo)))
    end = min(24, math.ceil(max(hi)))
    if end - start < 6:
        end = min(24, start + 6)
    return start, end


class _Canvas:
    """Maps instants to x positions inside the five day columns (viewer-local axis)."""

    def __init__(self, monday: date, viewer: ZoneInfo, axis: tuple[int, int], now: datetime):
        self.viewer = viewer
        self.axis_lo, self.axis_hi = axis
        col_width = (WIDTH - LABEL_WIDTH) / DAYS
        self.inner = col_width - COLUMN_GAP
        self.spans: list[tuple[datetime, datetime, float]] = []
        for i in range(DAYS):
            day = monday + timedelta(days=i)
            x0 = LABEL_WIDTH + i * col_width + COLUMN_GAP / 2
            lo = engine.wall_time(day, time(0), viewer, self.axis_lo * 60)
            hi = engine.wall_time(day, time(0), viewer, self.axis_hi * 60)
            self.spans.append((lo, hi, x0))

    def x_of(self, t: datetime, col: int) -> float:
        lo, hi, x0 = self.spans[col]
        frac = (t - lo).total_seconds() / (hi - lo).total_seconds()
        return x0 + min(max(frac, 0.0), 1.0) * self.inner

    def clip(self, a: datetime, b: datetime, col: int) -> tuple[float, float] | None:
        lo, hi, _ = self.spans[col]
        if b <= lo or a >= hi:
            return None
        x1, x2 = self.x_of(max(a, lo), col), self.x_of(min(b, hi), col)
        return (x1, x2 - x1) if x2 - x1 >= 0.5 else None

    def words(self, a: datetime, b: datetime) -> str:
        va, vb = a.astimezone(self.viewer), b.astimezone(self.viewer)
        return f"{va:%a} {_hm(va)}-{_hm(vb)} your time"


@dataclass
class _RowShapes:
    canvas: _Canvas
    y: float
    shapes: list[Shape] = field(default_factory=list)

    def add(
        self,
        kind: str,
        a: datetime,
        b: datetime,
        col: int,
        tooltip: str,
        *,
        top: float = 6,
        height: float = ROW - 12,
        label: str = "",
        meeting_id: int | None = None,
    ) -> None:
        box = self.canvas.clip(a, b, col)
        if box is None:
            return
        x, width = box
        if label and width < 34:
            label = ""
        elif label:
            room = int((width - 8) / 6.2)
            label = label if len(label) <= room else label[: max(room - 1, 1)] + "…"
        shapes = self.shapes
        shapes.append(Shape(kind, x, self.y + top, width, height, tooltip, label, meeting_id))


def _place(tz_name: str, monday: date) -> str:
    offset = engine.wall_time(monday, time(12), ZoneInfo(tz_name)).strftime("%z")
    minutes = f":{offset[3:]}" if offset[3:] != "00" else ""
    return f"{engine.city_name(tz_name)} · UTC{offset[:3]}{minutes}"


def build(
    calendar: TeamCalendar,
    *,
    monday: date,
    viewer_timezone: str,
    viewer_username: str,
    now: datetime,
) -> WeekPicture:
    viewer = ZoneInfo(viewer_timezone)
    axis = _axis_hours(calendar, monday, viewer)
    canvas = _Canvas(monday, viewer, axis, now)
    today = now.astimezone(viewer).date()
    height = HEADER + ROW * max(len(calendar.memberships), 1) + 8

    columns: list[Column] = []
    ticks: list[Tick] = []
    step = 3 if axis[1] - axis[0] > 9 else 2
    for i, (_lo, _hi, x0) in enumerate(canvas.spans):
        day = monday + timedelta(days=i)
        columns.append(Column(day, f"{day:%a} {day.day} {day:%b}", x0, canvas.inner, day == today))
        for hour in range(axis[0] + (-axis[0]) % step, axis[1] + 1, step):
            x = x0 + (hour - axis[0]) / (axis[1] - axis[0]) * canvas.inner
            ticks.append(Tick(x, f"{hour % 24:02d}", HEADER - 4, height - 8))

    rows = [
        _row(calendar, membership, canvas, monday, HEADER + index * ROW, viewer_username)
        for index, membership in enumerate(calendar.memberships)
    ]
    now_x = None
    for col, (lo, hi, _x0) in enumerate(canvas.spans):
        if lo <= now < hi:
            now_x = canvas.x_of(now, col)
    return WeekPicture(WIDTH, height, viewer_timezone, columns, rows, ticks, now_x)


def _row(
    calendar: TeamCalendar,
    membership: Membership,
    canvas: _Canvas,
    monday: date,
    y: float,
    viewer_username: str,
) -> Row:
    user = membership.user
    username = user.username
    person = calendar.people[username]
    zone = ZoneInfo(person.timezone)
    hours = person_hours(membership.user, calendar.policy)
    policy = calendar.policy
    out = _RowShapes(canvas, y)
    words = canvas.words
    for col in range(DAYS):
        day = monday + timedelta(days=col)
        ws, we = (
            engine.wall_time(day, hours.workday_start, zone),
            engine.wall_time(day, hours.workday_end, zone),
        )
        ls, le = (
            engine.wall_time(day, hours.lunch_start, zone),
            engine.wall_time(day, hours.lunch_end, zone),
        )
        city = engine.city_name(person.timezone)
        out.add("wk-work", ws, we, col, f"{username} works {_hm(ws)}-{_hm(we)} {city} time")
        for window in windows_on(day, zone, hours, policy):
            a, b = window.start, window.end
            out.add(
                f"wk-window wk-{window.kind}",
                a,
                b,
                col,
                f"Meeting window, {engine.WINDOW_LABEL[window.kind]} for {username}: "
                f"{_hm(a)}-{_hm(b)} {city} time ({words(a, b)})",
            )
        out.add("wk-lunch", ls, le, col, f"{username}'s lunch {_hm(ls)}-{_hm(le)} {city} time")
        for a, b in engine.focus_blocks(person, day, calendar.rules):
            minutes = int((b - a).total_seconds() // 60)
            length = f"{minutes // 60} h" + (f" {minutes % 60:02d}" if minutes % 60 else "")
            out.add(
                "wk-focus",
                a,
                b,
                col,
                f"Maker block: {length} of focus for {username} ({words(a, b)})",
                top=ROW - 15,
                height=7,
            )
        # Busy time is drawn inside working hours only: an all-day event or an evening
        # class does not need to paint the whole row.
        for interval in calendar.busy.get(username, []):
            a, b = max(interval.start, ws), min(interval.end, we)
            if a >= b:
                continue
            # Event titles are the owner's business; colleagues see "Busy".
            own = username == viewer_username and interval.summary
            what = interval.summary if own else "Busy"
            tip = f"{what} ({words(interval.start, interval.end)}, from {username}'s calendar)"
            out.add("wk-busy", a, b, col, tip, top=14, height=ROW - 34)
        for start, end in calendar.other_meetings.get(username, []):
            a, b = max(start, ws), min(end, we)
            if a < b:
                tip = f"Busy: another team's meeting ({words(start, end)})"
                out.add("wk-busy", a, b, col, tip, top=14, height=ROW - 34)
    for entry in calendar.meetings:
        meeting, attendance = entry.meeting, entry.attendance
        mine = [r for r in attendance if r.user_id == user.pk]
        if not mine:
            continue
        kind = "wk-meeting"
        if not mine[0].required:
            kind += " wk-optional"
        if meeting.forced_into_maker_time:
            kind += " wk-forced"
        tip = meeting_tooltip(meeting, attendance, calendar, canvas.viewer)
        for col in range(DAYS):
            out.add(
                kind,
                meeting.start,
                meeting.end,
                col,
                tip,
                top=12,
                height=ROW - 30,
                label=meeting.title,
                meeting_id=meeting.pk,
            )
    name = display_name(user)
    label = name if len(name) <= 18 else username
    return Row(username, label, _place(person.timezone, monday), y, out.shapes)


def meeting_tooltip(
    meeting: Meeting, rows: list[MeetingAttendee], calendar: TeamCalendar, viewer: ZoneInfo
) -> str:
    tzs = {m.user.username: person_timezone(m.user, calendar.team) for m in calendar.memberships}
    start, end = meeting.start.astimezone(viewer), meeting.end.astimezone(viewer)
    flag = " · booked in maker time" if meeting.forced_into_maker_time else ""
    return (
        f"{meeting.title} · {start:%a} {_hm(start)}-{_hm(end)} your time{flag} · "
        + local_times_line(
            meeting.start,
            ((r.user.username, tzs[r.user.username]) for r in rows if r.user.username in tzs),
        )
    )

"""The team's week as a picture: Monday to Friday as bands one under the other, people in
rows inside each band, each row a time line across the whole width in the viewer's zone showing
working hours, lunch, the three meeting windows, busy time, meetings (with their titles where
they fit) and the maker blocks long enough to count as focus time. The same picture with one
day and a narrow width is the phone's day view.

Only geometry and words are computed here; templates/schedule/week.html draws the SVG (all
colours come from static/css/schedule.css: the CSP allows no inline styles).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from teams.models import Membership

from . import engine
from .adapters import person_hours, person_timezone, windows_on
from .models import Meeting, MeetingAttendee
from .selectors import TeamCalendar, local_times_line

WIDTH = 1800
LABEL_WIDTH = 150
AXIS = 22  # the hour labels above the first band
BAND_HEADER = 26  # the day's name above its rows
BAND_GAP = 10
ROW = 44
DAYS = 5
# Meeting titles: 11 px text, about 6.4 px a character; shorter blocks show no title.
CHAR_WIDTH = 6.4
MIN_LABEL_WIDTH = 30
# The phone's day view: one band, as wide as the screen.
PHONE_WIDTH = 380
PHONE_LABEL_WIDTH = 78


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
    col: int = 0  # the day's band: blocks in order are by band, then by time (x)

    @property
    def label_x(self) -> float:
        return self.x + 4

    @property
    def label_y(self) -> float:
        return self.y + self.height / 2 + 4


@dataclass(frozen=True)
class Column:
    """One day's band: its rows of people lie between `y` and `y + height`."""

    day: date
    label: str
    x: float
    width: float
    y: float
    height: float
    is_today: bool

    @property
    def center(self) -> float:
        return self.x + self.width / 2

    @property
    def label_y(self) -> float:
        return self.y + 17


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    y1: float
    y2: float


@dataclass(frozen=True)
class RowLabel:
    y: float

    @property
    def name_y(self) -> float:
        return self.y + ROW / 2 - 2

    @property
    def place_y(self) -> float:
        return self.y + ROW / 2 + 12

    @property
    def line_y(self) -> float:
        return self.y + ROW


@dataclass(frozen=True)
class Row:
    """One person: their name in every day's band, and every shape of their week."""

    username: str
    name: str
    place: str
    labels: list[RowLabel]
    shapes: list[Shape] = field(default_factory=list)


@dataclass(frozen=True)
class WeekPicture:
    width: int
    height: int
    label_width: int
    viewer_timezone: str
    columns: list[Column]
    rows: list[Row]
    ticks: list[Tick]
    now: Tick | None  # the "now" line, in today's band


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
    """Maps instants to x positions (the viewer-local axis, the same in every band) and a
    (day, person) to the y of their row."""

    def __init__(
        self,
        days: list[date],
        viewer: ZoneInfo,
        axis: tuple[int, int],
        *,
        width: int,
        label_width: int,
        people: int,
    ):
        self.viewer = viewer
        self.axis_lo, self.axis_hi = axis
        self.x0 = label_width
        self.inner = width - label_width - 8
        self.band_height = BAND_HEADER + ROW * max(people, 1)
        self.spans: list[tuple[datetime, datetime, float]] = []
        for i, day in enumerate(days):
            lo = engine.wall_time(day, time(0), viewer, self.axis_lo * 60)
            hi = engine.wall_time(day, time(0), viewer, self.axis_hi * 60)
            self.spans.append((lo, hi, AXIS + i * (self.band_height + BAND_GAP)))

    def band_y(self, col: int) -> float:
        return self.spans[col][2]

    def row_y(self, col: int, index: int) -> float:
        return self.band_y(col) + BAND_HEADER + index * ROW

    def x_of(self, t: datetime, col: int) -> float:
        lo, hi, _ = self.spans[col]
        frac = (t - lo).total_seconds() / (hi - lo).total_seconds()
        return self.x0 + min(max(frac, 0.0), 1.0) * self.inner

    def clip(self, a: datetime, b: datetime, col: int) -> tuple[float, float] | None:
        lo, hi, _ = self.spans[col]
        if b <= lo or a >= hi:
            return None
        x1, x2 = self.x_of(max(a, lo), col), self.x_of(min(b, hi), col)
        return (x1, x2 - x1) if x2 - x1 >= 0.5 else None

    def words(self, a: datetime, b: datetime) -> str:
        va, vb = a.astimezone(self.viewer), b.astimezone(self.viewer)
        return f"{va:%a} {_hm(va)}-{_hm(vb)} your time"


def fitted_label(title: str, width: float) -> str:
    """The title as it fits a block `width` wide: whole, cut with an ellipsis, or nothing
    (the full title stays in the block's tooltip and the list of meetings)."""
    if width < MIN_LABEL_WIDTH:
        return ""
    room = int((width - 8) / CHAR_WIDTH)
    return title if len(title) <= room else title[: max(room - 1, 1)].rstrip() + "…"


@dataclass
class _RowShapes:
    canvas: _Canvas
    index: int  # the person's row inside every band
    shapes: list[Shape] = field(default_factory=list)

    def add(
        self,
        kind: str,
        a: datetime,
        b: datetime,
        col: int,
        tooltip: str,
        *,
        top: float = 4,
        height: float = ROW - 8,
        label: str = "",
        meeting_id: int | None = None,
    ) -> None:
        box = self.canvas.clip(a, b, col)
        if box is None:
            return
        x, width = box
        y = self.canvas.row_y(col, self.index) + top
        label = fitted_label(label, width) if label else ""
        self.shapes.append(Shape(kind, x, y, width, height, tooltip, label, meeting_id, col))


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
    day: date | None = None,
) -> WeekPicture:
    """The week (Monday to Friday), or with `day` that one day as narrow as a phone."""
    viewer = ZoneInfo(viewer_timezone)
    axis = _axis_hours(calendar, monday, viewer)
    days = [day] if day else [monday + timedelta(days=i) for i in range(DAYS)]
    width, label_width = (PHONE_WIDTH, PHONE_LABEL_WIDTH) if day else (WIDTH, LABEL_WIDTH)
    people = len(calendar.memberships)
    canvas = _Canvas(days, viewer, axis, width=width, label_width=label_width, people=people)
    today = now.astimezone(viewer).date()
    height = int(AXIS + len(days) * (canvas.band_height + BAND_GAP))

    columns: list[Column] = []
    ticks: list[Tick] = []
    hours = axis[1] - axis[0]
    # An hour label every hour where there is room, every 2 or 3 hours where there is not.
    step = next(s for s in (1, 2, 3, 4, 6) if canvas.inner / hours * s >= 44)
    for hour in range(axis[0] + (-axis[0]) % step, axis[1] + 1, step):
        x = canvas.x0 + (hour - axis[0]) / hours * canvas.inner
        ticks.append(Tick(x, f"{hour % 24:02d}", AXIS - 4, height - BAND_GAP))
    for i, d in enumerate(days):
        label = f"{d:%A} {d.day} {d:%b}" if not day else f"{d:%a} {d.day} {d:%b}"
        y = canvas.band_y(i)
        columns.append(Column(d, label, canvas.x0, canvas.inner, y, canvas.band_height, d == today))

    rows = [
        _row(calendar, membership, canvas, days, index, viewer_username)
        for index, membership in enumerate(calendar.memberships)
    ]
    now_line = None
    for col, (lo, hi, y) in enumerate(canvas.spans):
        if lo <= now < hi:
            x = canvas.x_of(now, col)
            now_line = Tick(x, "now", y + BAND_HEADER - 4, y + canvas.band_height)
    return WeekPicture(width, height, label_width, viewer_timezone, columns, rows, ticks, now_line)


def _row(
    calendar: TeamCalendar,
    membership: Membership,
    canvas: _Canvas,
    days: list[date],
    index: int,
    viewer_username: str,
) -> Row:
    user = membership.user
    username = user.username
    person = calendar.people[username]
    who = person.name  # what the sentences call them (adapters.engine_person)
    zone = ZoneInfo(person.timezone)
    hours = person_hours(membership.user, calendar.policy)
    policy = calendar.policy
    out = _RowShapes(canvas, index)
    words = canvas.words
    for col, day in enumerate(days):
        ws, we = (
            engine.wall_time(day, hours.workday_start, zone),
            engine.wall_time(day, hours.workday_end, zone),
        )
        ls, le = (
            engine.wall_time(day, hours.lunch_start, zone),
            engine.wall_time(day, hours.lunch_end, zone),
        )
        city = engine.city_name(person.timezone)
        out.add("wk-work", ws, we, col, f"{who} works {_hm(ws)}-{_hm(we)} {city} time")
        for window in windows_on(day, zone, hours, policy):
            a, b = window.start, window.end
            out.add(
                f"wk-window wk-{window.kind}",
                a,
                b,
                col,
                f"Meeting window, {engine.WINDOW_LABEL[window.kind]} for {who}: "
                f"{_hm(a)}-{_hm(b)} {city} time ({words(a, b)})",
            )
        out.add("wk-lunch", ls, le, col, f"{who}'s lunch {_hm(ls)}-{_hm(le)} {city} time")
        for a, b in engine.focus_blocks(person, day, calendar.rules):
            minutes = int((b - a).total_seconds() // 60)
            length = f"{minutes // 60} h" + (f" {minutes % 60:02d}" if minutes % 60 else "")
            out.add(
                "wk-focus",
                a,
                b,
                col,
                f"Maker block: {length} of focus for {who} ({words(a, b)})",
                top=ROW - 10,
                height=5,
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
            tip = f"{what} ({words(interval.start, interval.end)}, from {who}'s calendar)"
            out.add("wk-busy", a, b, col, tip, top=11, height=ROW - 24)
        for start, end in calendar.other_meetings.get(username, []):
            a, b = max(start, ws), min(end, we)
            if a < b:
                tip = f"Busy: another team's meeting ({words(start, end)})"
                out.add("wk-busy", a, b, col, tip, top=11, height=ROW - 24)
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
        for col in range(len(days)):
            out.add(
                kind,
                meeting.start,
                meeting.end,
                col,
                tip,
                top=7,
                height=ROW - 17,
                label=meeting.title,
                meeting_id=meeting.pk,
            )
    room = 18 if canvas.x0 >= LABEL_WIDTH else 9  # the phone's narrow name column
    label = who if len(who) <= room else (username if len(username) <= room else username[:room])
    labels = [RowLabel(canvas.row_y(col, index)) for col in range(len(days))]
    return Row(username, label, _place(person.timezone, days[0]), labels, out.shapes)


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
            ((r.user, tzs[r.user.username]) for r in rows if r.user.username in tzs),
        )
    )

"""The vision's calendar: the one definition of its three-month periods, which one a date falls
in, how many days are left, and when each quarterly review is due. Pure Python, no Django:
the wall, the pages, the API, the review due dates and the roadmap picture all use it.

The rule, as the team reads it:
* a vision runs from `starts_on` (its first day) up to `ends_on` (the day it is due; not a day
  of the vision itself), nine calendar months by default;
* period 1 is its first three calendar months, period 2 the next three, period 3 runs from
  month six to `ends_on`. "Three months later" keeps the day of the month and falls back to
  the month's last day when it has none (31 January + 3 months = 30 April), always counted from
  `starts_on`, so the clamping never drifts from one period to the next;
* re-chartering the end date lengthens or shortens period 3 only: the periods the team has
  already lived through never move. The end date therefore lies at least seven months after
  the start (period 3 keeps a month) and at most eighteen (a problem "solvable in about nine
  months" is not a two-year programme);
* a period's review is due on the day the period ends.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

PERIODS = 3
PERIOD_MONTHS = 3
VISION_MONTHS = PERIODS * PERIOD_MONTHS
MIN_VISION_MONTHS = (PERIODS - 1) * PERIOD_MONTHS + 1
MAX_VISION_MONTHS = 18
# A review form opens this long before its period ends; a review this late is overdue.
REVIEW_OPENS_BEFORE = timedelta(days=14)
REVIEW_OVERDUE_AFTER = timedelta(days=14)


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later, or that month's last day if it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_ends_on(starts_on: date) -> date:
    return add_months(starts_on, VISION_MONTHS)


def span_error(starts_on: date, ends_on: date) -> str | None:
    """Why these dates cannot hold a vision, in a sentence, or None when they can."""
    earliest = add_months(starts_on, MIN_VISION_MONTHS)
    latest = add_months(starts_on, MAX_VISION_MONTHS)
    if ends_on < earliest:
        return (
            f"A vision needs its three periods: end it on {earliest.isoformat()} or later "
            f"(at least {MIN_VISION_MONTHS} months after it starts)."
        )
    if ends_on > latest:
        return (
            f"A vision is a problem solvable in about nine months: end it by "
            f"{latest.isoformat()} ({MAX_VISION_MONTHS} months after it starts) at the latest."
        )
    return None


@dataclass(frozen=True)
class Period:
    number: int
    starts_on: date  # its first day
    ends_on: date  # the day after its last day: the next period's first day, its review date

    @property
    def last_day(self) -> date:
        return self.ends_on - timedelta(days=1)

    def contains(self, day: date) -> bool:
        return self.starts_on <= day < self.ends_on

    def days_left(self, today: date) -> int:
        """Days from today to the end of the period, today included (1 on its last day)."""
        return max(0, (self.ends_on - today).days)

    @property
    def label(self) -> str:
        first = (self.number - 1) * PERIOD_MONTHS
        return f"Months {first}-{first + PERIOD_MONTHS}"


def periods(starts_on: date, ends_on: date) -> tuple[Period, ...]:
    bounds = [add_months(starts_on, PERIOD_MONTHS * k) for k in range(PERIODS)] + [ends_on]
    return tuple(Period(k + 1, bounds[k], bounds[k + 1]) for k in range(PERIODS))


def period_of(starts_on: date, ends_on: date, day: date) -> Period | None:
    """The period `day` falls in, or None before the vision starts or once it is due."""
    return next((p for p in periods(starts_on, ends_on) if p.contains(day)), None)


def review_due_on(starts_on: date, ends_on: date, number: int) -> date:
    return periods(starts_on, ends_on)[number - 1].ends_on


def review_open(due_on: date, today: date) -> bool:
    """A period's review can be held once its period is ending (two weeks before) or over."""
    return today >= due_on - REVIEW_OPENS_BEFORE


def review_overdue(due_on: date, today: date) -> bool:
    return today > due_on + REVIEW_OVERDUE_AFTER

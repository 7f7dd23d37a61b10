"""Period arithmetic, as properties: for any start day (29-31 of a month and leap years
included) and any allowed end date, every day of the vision falls in exactly one period, the
periods follow the vision's dates, and a re-chartered end date moves only the last period."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from milestones import periods
from milestones.periods import add_months, default_ends_on, period_of, span_error

starts = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
month_ends = st.builds(
    lambda year, month, day: date(year, month, 1) + timedelta(days=day),
    st.integers(1990, 2090),
    st.integers(1, 12),
    st.integers(27, 30),
).filter(lambda d: d.day >= 28)


@st.composite
def visions(draw: st.DrawFn) -> tuple[date, date]:
    start = draw(st.one_of(starts, month_ends))
    months = draw(st.integers(periods.MIN_VISION_MONTHS, periods.MAX_VISION_MONTHS - 1))
    extra = draw(st.integers(0, 27))
    return start, add_months(start, months) + timedelta(days=extra)


@given(visions(), st.data())
def test_every_day_of_a_vision_falls_in_exactly_one_period(vision, data):
    start, end = vision
    assert span_error(start, end) is None
    day = data.draw(st.dates(min_value=start, max_value=end - timedelta(days=1)))
    containing = [p.number for p in periods.periods(start, end) if p.contains(day)]
    assert len(containing) == 1
    assert period_of(start, end, day).number == containing[0]


@given(visions())
def test_periods_tile_the_vision_from_its_start_to_its_end(vision):
    start, end = vision
    spans = periods.periods(start, end)
    assert [p.number for p in spans] == [1, 2, 3]
    assert spans[0].starts_on == start and spans[-1].ends_on == end
    for before, after in itertools.pairwise(spans):
        assert before.ends_on == after.starts_on
        assert before.starts_on < before.ends_on
    assert period_of(start, end, start - timedelta(days=1)) is None
    assert period_of(start, end, end) is None  # the due date is the last review, not a day of it


@given(st.one_of(starts, month_ends))
def test_default_periods_are_three_calendar_months_each(start):
    spans = periods.periods(start, default_ends_on(start))
    for number, span in enumerate(spans):
        assert span.starts_on == add_months(start, 3 * number)
        assert span.ends_on == add_months(start, 3 * (number + 1))
        # Whole calendar months: the day of the month is kept, or clamped to a short month's end.
        assert span.ends_on.day == start.day or span.ends_on.day < start.day
        assert 89 <= (span.ends_on - span.starts_on).days <= 92


def test_month_end_starts_clamp_without_drifting():
    # 31 August: 30 November, then 28 February (not the 28th carried onwards), then 31 May.
    spans = periods.periods(date(2025, 8, 31), default_ends_on(date(2025, 8, 31)))
    assert [p.starts_on for p in spans] == [
        date(2025, 8, 31),
        date(2025, 11, 30),
        date(2026, 2, 28),
    ]
    assert spans[-1].ends_on == date(2026, 5, 31)
    # Leap years: 29 February is a real day, and 30 November + 3 months is 29 February 2028.
    leap = periods.periods(date(2027, 11, 30), default_ends_on(date(2027, 11, 30)))
    assert leap[1].starts_on == date(2028, 2, 29)
    assert periods.periods(date(2024, 2, 29), date(2024, 11, 29))[1].starts_on == date(2024, 5, 29)


@given(visions(), st.integers(periods.MIN_VISION_MONTHS, periods.MAX_VISION_MONTHS))
def test_a_rechartered_end_date_moves_only_the_last_period(vision, months):
    start, end = vision
    new_end = add_months(start, months)
    before, after = periods.periods(start, end), periods.periods(start, new_end)
    assert before[:2] == after[:2]  # the periods already lived through never move
    assert after[2].starts_on == before[2].starts_on and after[2].ends_on == new_end
    assert periods.review_due_on(start, new_end, 3) == new_end


@given(st.one_of(starts, month_ends), st.integers(-40, 40))
def test_span_limits(start, days):
    shortest = add_months(start, periods.MIN_VISION_MONTHS)
    longest = add_months(start, periods.MAX_VISION_MONTHS)
    end = shortest + timedelta(days=days)
    assert (span_error(start, end) is None) == (end >= shortest)
    end = longest + timedelta(days=days)
    assert (span_error(start, end) is None) == (end <= longest)


@given(visions(), st.data())
def test_days_left_counts_down_to_the_review_date(vision, data):
    start, end = vision
    day = data.draw(st.dates(min_value=start, max_value=end - timedelta(days=1)))
    period = period_of(start, end, day)
    assert period.days_left(day) == (period.ends_on - day).days >= 1
    assert period.days_left(period.last_day) == 1


def test_review_window_and_overdue():
    due = date(2026, 4, 1)
    assert not periods.review_open(due, date(2026, 3, 17))
    assert periods.review_open(due, date(2026, 3, 18))
    assert not periods.review_overdue(due, date(2026, 4, 15))
    assert periods.review_overdue(due, date(2026, 4, 16))

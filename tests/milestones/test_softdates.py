from __future__ import annotations

import re
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from milestones.softdates import (
    PRECISIONS,
    has_passed,
    last_day,
    passed_phrase,
    shift,
    slip_summary,
    soft_date,
)

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
precisions = st.sampled_from(PRECISIONS)
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
SHAPES = {
    "day": re.compile(r"^~ [A-Z][a-z]{2} \d{1,2}$"),
    "week": re.compile(r"^~ week of [A-Z][a-z]{2} \d{1,2}$"),
    "month": re.compile(rf"^~ (early |late |mid-)({MONTHS})$"),
}


def test_the_examples_read_as_people_say_them():
    assert soft_date(date(2027, 3, 14), "day") == "~ Mar 14"
    assert soft_date(date(2027, 3, 11), "week") == "~ week of Mar 8"
    assert soft_date(date(2027, 3, 15), "month") == "~ mid-March"
    assert soft_date(date(2027, 3, 1), "month") == "~ early March"
    assert soft_date(date(2027, 3, 31), "month") == "~ late March"
    assert (
        passed_phrase(date(2027, 3, 15), "month", date(2027, 3, 20) + timedelta(days=14))
        == "aimed for ~ mid-March, 2 weeks ago: re-aim?"
    )
    moves = [(date(2027, 3, 1), date(2027, 3, 15)), (date(2027, 3, 15), date(2027, 4, 5))]
    assert slip_summary(moves) == "moved 2\N{MULTIPLICATION SIGN} (+5 weeks)"


@given(dates, precisions)
def test_every_date_reads_in_its_precisions_shape_and_is_covered(day, precision):
    words = soft_date(day, precision)
    assert SHAPES[precision].match(words), words
    end = last_day(day, precision)
    assert day <= end <= day + timedelta(days=30)
    assert not has_passed(day, precision, day)


@given(dates, dates, precisions)
def test_same_soft_date_same_words_and_same_last_day(a, b, precision):
    # Two dates that read the same cover the same span, so "passed" never disagrees
    # with what the person reads.
    if soft_date(a, precision) == soft_date(b, precision) and abs((a - b).days) < 40:
        assert last_day(a, precision) == last_day(b, precision)


@given(dates, precisions, st.integers(min_value=0, max_value=2000))
def test_a_passed_date_is_named_neutrally_never_overdue(day, precision, later):
    today = last_day(day, precision) + timedelta(days=later)
    phrase = passed_phrase(day, precision, today)
    if later == 0:
        assert phrase is None
    else:
        assert phrase is not None
        assert phrase.startswith(f"aimed for {soft_date(day, precision)}, ")
        assert phrase.endswith(": re-aim?")
        assert "overdue" not in phrase.lower() and "late!" not in phrase.lower()


@given(st.integers(min_value=-5000, max_value=5000))
def test_shift_has_a_sign_and_a_unit(days):
    words = shift(days)
    assert re.match(r"^[+-]\d+ (day|days|week|weeks)$", words), words
    assert words.startswith("-") == (days < 0)

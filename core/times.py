"""The years a team can plan in, defined once for every date and time a person gives
(meetings, milestones, visions, reviews, mutes). A time is checked on the instant the
database stores (UTC) as well as on the date the person typed: "1970-01-01 00:30 in Paris"
is 1969 in UTC and is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.core.exceptions import ValidationError

# Beyond them date arithmetic overflows (year 1 or 9999) and timestamps go negative.
FIRST_YEAR, LAST_YEAR = 1970, 2199


def within_planning_years(value: date | datetime) -> bool:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        return False
    if isinstance(value, datetime) and value.tzinfo is not None:
        try:
            return FIRST_YEAR <= value.astimezone(UTC).year <= LAST_YEAR
        except OverflowError:
            return False
    return True


def planning_years_sentence() -> str:
    return f"Pick a date between {FIRST_YEAR} and {LAST_YEAR}; a time counts in UTC."


def validate_planning_years(value: date | datetime) -> None:
    """A model and form field validator."""
    if value is not None and not within_planning_years(value):
        raise ValidationError(planning_years_sentence(), code="planning_years")

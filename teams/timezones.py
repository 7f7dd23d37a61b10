"""IANA time zone names: validation and choices, backed by zoneinfo."""

from __future__ import annotations

import functools
import zoneinfo

from django.core.exceptions import ValidationError


@functools.cache
def timezone_names() -> tuple[str, ...]:
    # available_timezones() reads the tz database from disk; once per process is enough.
    return tuple(sorted(zoneinfo.available_timezones()))


def validate_timezone(value: str) -> None:
    if value not in timezone_names():
        raise ValidationError(
            "%(value)s is not a time zone name; use an IANA name such as Europe/Paris.",
            code="invalid_timezone",
            params={"value": value},
        )

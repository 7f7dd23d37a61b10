"""One event on its own: what makes it unreadable, the repairs other clients make, its
title and whether it makes anyone busy.

icalendar parses leniently: a broken DTSTART becomes a vBroken value, and the error is kept in
`event.errors` instead of raised. `problem` reads those without changing the event; `repair`
is the one place that changes an event, and only in ways every calendar app agrees on.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from icalendar import Component, vBroken

from .parse import as_list, clip, plain_reason, text_of

MAX_SUMMARY_CHARS = 200
TIME_PROPERTIES = ("DTSTART", "DTEND", "RECURRENCE-ID")
LIST_PROPERTIES = ("EXDATE", "RDATE")
_RULE_PROPERTIES = (*TIME_PROPERTIES, *LIST_PROPERTIES, "DURATION", "RRULE")
_SINGLE_PROPERTIES = (*TIME_PROPERTIES, "DURATION", "UID", "SEQUENCE")
_FREE_BUSY_STATUSES = {"FREE"}
_PRIVATE_CLASSES = {"PRIVATE", "CONFIDENTIAL"}


def repair(event: Component) -> None:
    """Undo what sloppy exporters write, as other calendar clients do.

    A property that may appear once but appears twice keeps its first value; an empty
    `RRULE:` (seen in a widely used holiday feed) means no repetition; an unreadable SEQUENCE
    (only used to pick the newest copy of an event) is dropped. Alarms and nested events go:
    alarms make nobody busy, and a VEVENT nested in another is read on its own.
    """
    event.subcomponents = []
    for name in _SINGLE_PROPERTIES:
        props = as_list(event.get(name))
        if len(props) > 1:
            event[name] = props[0]
    rules = [rule for rule in as_list(event.get("RRULE")) if not _is_empty_rule(rule)]
    if "RRULE" in event:
        del event["RRULE"]
        if rules:
            event["RRULE"] = rules[0] if len(rules) == 1 else rules
    event.errors[:] = [
        (name, error) for name, error in event.errors if not (name == "RRULE" and not rules)
    ]
    if "SEQUENCE" in event and not isinstance(event["SEQUENCE"], int):
        del event["SEQUENCE"]


def _is_empty_rule(rule: object) -> bool:
    if isinstance(rule, vBroken):
        return not str(rule).strip()
    return isinstance(rule, dict) and not rule


def problem(event: Component) -> str | None:
    """Why the event cannot be placed in time, completing "The event "x" ...", or None."""
    for name, error in event.errors:
        if name in _RULE_PROPERTIES or (
            name is None and any(prop in error.upper() for prop in _RULE_PROPERTIES)
        ):
            return f"has an unreadable {name or 'line'} ({plain_reason(Exception(error))})"
    if "DTSTART" not in event:
        return "has no start time (DTSTART)"
    for name in _RULE_PROPERTIES:
        for prop in as_list(event.get(name)):
            if isinstance(prop, vBroken):
                return f"has an unreadable {name}"
    for name in TIME_PROPERTIES:
        prop = event.get(name)
        if prop is not None and not isinstance(getattr(prop, "dt", None), date):
            return f"has a {name} that is not a date or a time"
    for name in LIST_PROPERTIES:
        for prop in as_list(event.get(name)):
            for value in getattr(prop, "dts", [prop]):
                moment = value.dt[0] if isinstance(value.dt, tuple) else value.dt
                if not isinstance(moment, date):
                    return f"has an {name} that is not a date or a time"
    duration = event.get("DURATION")
    if duration is not None and not isinstance(getattr(duration, "dt", None), timedelta):
        return "has an unreadable DURATION"
    return None


def get(component: Component, name: str) -> Any:
    """A property, typed loosely: icalendar annotates `get` as a union of ~30 value classes;
    `problem` checks at run time the ones the reader relies on."""
    return component.get(name)


def repeats(event: Component) -> bool:
    return any(name in event for name in ("RRULE", "RDATE", "RECURRENCE-ID"))


def is_free(event: Component) -> bool:
    """Cancelled, transparent (Google's birthdays and holidays) or Outlook "Free" is not busy."""
    return (
        text_of(event.get("STATUS")).upper() == "CANCELLED"
        or text_of(event.get("TRANSP")).upper() == "TRANSPARENT"
        or text_of(event.get("X-MICROSOFT-CDO-BUSYSTATUS")).upper() in _FREE_BUSY_STATUSES
    )


def summary(event: Component) -> str:
    """The title, or "" for a private event so its title is not shown to colleagues."""
    if text_of(event.get("CLASS")).upper() in _PRIVATE_CLASSES:
        return ""
    title = " ".join(text_of(event.get("SUMMARY")).split())
    if len(title) > MAX_SUMMARY_CHARS:
        title = title[: MAX_SUMMARY_CHARS - 1] + "…"
    return title


def label(event: Component) -> str:
    """How a skipped event is named to its owner."""
    return clip(summary(event)) or "(untitled)"

"""Reads for the tripwires pages, the API and the wall; each runs a fixed number of queries
however many tripwires and observations a team has."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet

from teams.models import Team

from . import words
from .models import NeutralTest, Observation, Status, Tripwire, TripwireEvent, Verdict
from .picture import GapPicture, gap_picture

PICTURE_DAYS = 90
ALARMS = (Status.TRIPPED, Status.STALE)


@dataclass(frozen=True)
class TripwireCard:
    tripwire: Tripwire
    status: str
    sentence: str
    last_seen: str
    picture: GapPicture

    @property
    def alarming(self) -> bool:
        return self.status in ALARMS


def tripwires_of(team: Team) -> QuerySet[Tripwire]:
    return Tripwire.objects.filter(team=team).select_related("team").order_by("name")


def cards(team: Team, now: datetime) -> list[TripwireCard]:
    """Every tripwire of the team with its picture of the last 90 days: two queries."""
    tripwires = list(tripwires_of(team))
    start = now - timedelta(days=PICTURE_DAYS)
    series: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    rows = (
        Observation.objects.filter(tripwire__team=team, at__gte=start)
        .order_by("at", "pk")
        .values_list("tripwire_id", "at", "production", "baseline")
    )
    direction = {t.pk: t.higher_is_better for t in tripwires}
    for tripwire_id, at, production, baseline in rows:
        difference = production - baseline
        series[tripwire_id].append((at, difference if direction[tripwire_id] else -difference))
    return [_card(t, series[t.pk], start, now) for t in tripwires]


def card(tripwire: Tripwire, now: datetime) -> TripwireCard:
    start = now - timedelta(days=PICTURE_DAYS)
    rows = Observation.objects.filter(tripwire=tripwire, at__gte=start).values_list(
        "at", "production", "baseline"
    )
    sign = 1 if tripwire.higher_is_better else -1
    gaps = [(at, sign * (p - b)) for at, p, b in rows]
    return _card(tripwire, gaps, start, now)


def _card(
    tripwire: Tripwire,
    gaps: list[tuple[datetime, float]],
    start: datetime,
    now: datetime,
) -> TripwireCard:
    status = tripwire.status_at(now)
    reference = tripwire.assessed_reference_gap
    tolerance_gap = reference * (1 - tripwire.tolerance) if reference is not None else None
    picture = gap_picture(
        gaps,
        start=start,
        end=now,
        reference=reference,
        noise=tripwire.assessed_noise,
        tolerance_gap=tolerance_gap,
        change_point=tripwire.change_point if status == Status.TRIPPED else None,
    )
    return TripwireCard(
        tripwire,
        status,
        words.status_sentence(tripwire, status, now),
        words.ago(tripwire.last_observation_at, now),
        picture,
    )


def observations_of(tripwire: Tripwire) -> QuerySet[Observation]:
    return Observation.objects.filter(tripwire=tripwire).order_by("-at", "-pk")


def events_of(tripwire: Tripwire) -> QuerySet[TripwireEvent]:
    return (
        TripwireEvent.objects.filter(tripwire=tripwire)
        .select_related("actor")
        .order_by("-at", "-pk")
    )


def neutral_tests_of(team: Team) -> QuerySet[NeutralTest]:
    return NeutralTest.objects.filter(team=team).select_related("finding_by", "created_by")


def unresolved_neutral_tests(team: Team) -> QuerySet[NeutralTest]:
    """Non-neutral results nobody has explained yet: they stay at the top of the page."""
    return neutral_tests_of(team).filter(verdict=Verdict.NOT_NEUTRAL, finding="")


def wall_context(team: Any, now: datetime) -> Mapping[str, Any] | None:
    """The wall's alarms: every tripped or stale tripwire in words (the only red on the
    wall), or None when there is none. One query."""
    alarms, _ = _wall_state(team, now)
    return {"alarms": alarms} if alarms else None


def wall_ok_context(team: Any, now: datetime) -> Mapping[str, Any] | None:
    """When no tripwire is alarming, only a small "3 tripwires ok" (nothing for a team
    without tripwires). One query."""
    alarms, quiet = _wall_state(team, now)
    return {"quiet": quiet} if quiet and not alarms else None


# The two wall panels are drawn one after the other for the same team and moment: they share
# one query. Per thread, and only the last answer, so nothing stale outlives a render.
_last_wall_state = threading.local()


def _wall_state(team: Any, now: datetime) -> tuple[list[str], int]:
    key = (team.pk, now)
    cached = getattr(_last_wall_state, "value", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    tripwires = list(Tripwire.objects.filter(team=team).order_by("name"))
    alarms = []
    for tripwire in tripwires:
        tripwire.team = team  # the sentences need the team's time zone; no query for it
        status = tripwire.status_at(now)
        if status in ALARMS:
            alarms.append(words.status_sentence(tripwire, status, now))
    state = (alarms, len(tripwires) - len(alarms))
    _last_wall_state.value = (key, state)
    return state

"""Demo vision: chartered about four months ago, replayed through the real services at the
times things happened: criteria measured along the way (partly met now), and one quarterly
review that revised the second target."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from unittest import mock
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractUser, User

from teams.models import Team

from . import selectors, services
from .models import DoneCriterion, Vision
from .periods import add_months

# (metric, description, comparator, target, unit, values measured on these days after the start)
CRITERIA: list[tuple[str, str, str, float, str, list[tuple[int, float]]]] = [
    (
        "CTR of the top 3 results",
        "Users click what we rank first",
        ">=",
        12,
        "%",
        [(0, 10.1), (30, 10.4), (62, 10.6), (95, 11.2), (112, 11.6)],
    ),
    (
        "Offline NDCG@10",
        "On the frozen evaluation set",
        ">=",
        0.42,
        "",
        [(0, 0.36), (20, 0.37), (45, 0.39), (70, 0.40), (93, 0.41), (105, 0.425), (118, 0.431)],
    ),
    (
        "p95 ranking latency",
        "Fast enough to serve every query",
        "<=",
        60,
        "ms",
        [(0, 72), (40, 66), (80, 61), (101, 58)],
    ),
    (
        "Label leakage incidents",
        "Found by the neutral A/A test in a month",
        "==",
        0,
        "",
        [(0, 2), (50, 1), (85, 0)],
    ),
]

FIRST_TARGET = (
    "The offline harness is reproducible and a click model beats the baseline by 2 NDCG points."
)
SECOND_TARGET = "The click model serves 5% of traffic in one country."
REVISED_SECOND = "A calibrated click model serves 10% of traffic in two countries."
REVISION_REASON = (
    "5% of one country was too small to read the CTR change in a month; two countries is "
    "the smallest dataset that answers it."
)


@contextmanager
def _clock(at: datetime) -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def seed(*, team: Team, people: Mapping[str, AbstractUser], stdout: Any) -> None:
    if Vision.objects.filter(team=team).exists():
        stdout.write("  vision already seeded")
        return
    users = {name: cast(User, user) for name, user in people.items()}
    lead = users["lena"]
    tz = ZoneInfo(team.timezone)
    today = selectors.team_today(team)
    start = add_months(today, -4) + timedelta(days=3)

    def at(day: int, hour: int = 10) -> datetime:
        return datetime.combine(start + timedelta(days=day), time(hour), tz)

    with _clock(at(0, 9)):
        vision = services.vision_create(
            team=team,
            actor=lead,
            title="Rankings our users trust",
            problem=(
                "Users scroll past our top results and search again: the ranking ignores what "
                "they click. Make the first three results the ones people want, measurably, "
                "without slowing search down."
            ),
            starts_on=start,
        )
        criteria = [
            services.criterion_add(
                vision=vision,
                actor=lead,
                metric=metric,
                description=description,
                comparator=comparator,
                target_value=target,
                unit=unit,
            )
            for metric, description, comparator, target, unit, _ in CRITERIA
        ]
        services.target_create(vision=vision, actor=lead, period=1, text=FIRST_TARGET)
        services.target_create(vision=vision, actor=lead, period=2, text=SECOND_TARGET)
        token, _ = services.criteria_token_create(vision=vision, actor=lead, label="nightly eval")

    review_day = (vision.periods[0].ends_on - start).days + 3
    events: list[tuple[int, str, Any]] = []
    for criterion, (metric, *_, values) in zip(criteria, CRITERIA, strict=True):
        for day, value in values:
            events.append((day, "value", (criterion, value, metric)))
    events.append((review_day, "review", None))
    for day, kind, payload in sorted(events, key=lambda e: (e[0], e[1] == "review")):
        with _clock(at(day, 11)):
            if kind == "review":
                _review(vision, users, held_on=start + timedelta(days=day))
                continue
            criterion, value, metric = payload
            by_pipeline = metric == "Offline NDCG@10"
            services.criterion_update_value(
                criterion=DoneCriterion.objects.get(pk=criterion.pk),
                value=value,
                actor=None if by_pipeline else users["priya" if day % 2 else "sam"],
                token=token if by_pipeline else None,
            )
    met = sum(c.met for c in DoneCriterion.objects.filter(vision=vision))
    stdout.write(f"  vision: {len(criteria)} criteria, {met} met, one review")
    _milestones(team, users, vision, at)
    stdout.write("  milestones: 4 (one done, one moved twice), 4 non-negotiables")


NON_NEGOTIABLES = [
    ("Unit tests", "Every change to the model or the pipeline comes with tests.", True),
    ("Design doc", "Written and reviewed before the build starts.", True),
    ("Robust job scheduling", "Jobs retry, alert and can be re-run safely.", False),
    # The one the demo team added after a biased experiment.
    ("A neutral A/A test before every experiment", "The split itself shows no effect.", True),
]


def _milestones(
    team: Team, users: Mapping[str, User], vision: Vision, at: Callable[..., datetime]
) -> None:
    """Milestones in several states, one moved twice, against the source's three
    non-negotiables and the one the team added."""
    lead, priya, sam = users["lena"], users["priya"], users["sam"]
    targets = {t.period: t for t in vision.targets.all()}
    today = selectors.team_today(team)
    with _clock(at(1, 9)):
        items = [
            services.non_negotiable_add(
                team=team, actor=lead, title=title, description=text, requires_evidence=evidence
            )
            for title, text, evidence in NON_NEGOTIABLES[:3]
        ]
        first = services.milestone_create(
            team=team,
            actor=lead,
            title="Click logs joined to impressions",
            target=targets[1],
            target_date=at(30).date(),
            precision="week",
        )
        for item in items:
            services.check_set(
                milestone=first,
                non_negotiable=item,
                actor=priya,
                evidence="https://ci.example.com/ranking/1182" if item.requires_evidence else "",
            )
        services.milestone_complete(milestone=first, actor=lead)
    with _clock(at(40, 9)):
        items.append(
            services.non_negotiable_add(
                team=team,
                actor=lead,
                title=NON_NEGOTIABLES[3][0],
                description=NON_NEGOTIABLES[3][1],
                requires_evidence=True,
            )
        )
        shadow = services.milestone_create(
            team=team,
            actor=lead,
            title="Click model in shadow mode",
            target=targets[2],
            target_date=at(100).date(),
            precision="month",
        )
        services.milestone_create(
            team=team,
            actor=sam,
            title="Calibration report for leadership",
            target=targets[2],
            target_date=today - timedelta(days=16),
            precision="week",
        )
        services.milestone_create(
            team=team,
            actor=sam,
            title="Feature store backfill",
            target=targets[2],
            target_date=today + timedelta(days=5),
            precision="day",
        )
    with _clock(at(70, 11)):
        services.milestone_update(
            milestone=shadow,
            actor=lead,
            fields={"target_date": at(114).date(), "status": "in_progress"},
            reason="The click logs had a two-week gap to backfill first.",
        )
        services.check_set(
            milestone=shadow,
            non_negotiable=items[1],
            actor=priya,
            evidence="https://docs.example.com/click-model-design",
        )
    with _clock(at(100, 11)):
        services.milestone_update(
            milestone=shadow,
            actor=lead,
            fields={"target_date": today + timedelta(days=21)},
            reason="Serving latency needed a second model size.",
        )
        services.check_set(milestone=shadow, non_negotiable=items[2], actor=sam)


def _review(vision: Vision, users: Mapping[str, User], *, held_on: date) -> None:
    services.review_record(
        vision=vision,
        actor=users["lena"],
        held_on=held_on,
        outcome="partly",
        evidence=(
            "The harness reproduces every run bit for bit (priya's three reruns). The click "
            "model beats the baseline by 1.4 NDCG points, not 2: short of the target."
        ),
        still_right_problem=True,
        still_right_note="Users still search again after the first page; CTR moved only a little.",
        notes="Keep the direction. Spend the next period on serving and calibration.",
        attendees=[users[name] for name in ("lena", "sam", "priya", "tom")],
        next_target_text=REVISED_SECOND,
        next_target_reason=REVISION_REASON,
    )

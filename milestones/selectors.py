"""Reads for the vision page, the reviews, the API and the wall panel. Each runs a fixed
number of queries whatever the number of criteria, values, targets or reviews."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Prefetch, QuerySet
from django.utils import timezone

from core.feeds import FeedEvent, FeedQuery, FeedScope, FeedStamp
from teams.models import Team

from . import periods, pictures, softdates
from .models import (
    CharterChange,
    Check,
    CriteriaToken,
    CriterionValue,
    DoneCriterion,
    Milestone,
    MilestoneSlip,
    MilestoneStatus,
    NonNegotiable,
    QuarterlyReview,
    Target,
    TargetRevision,
    Vision,
    VisionStatus,
)
from .snapshots import changes_between

# Who was at a review, in a stable order (by first name, then username) on every database.
ATTENDEES = Prefetch(
    "attendees", queryset=get_user_model().objects.order_by("first_name", "username")
)


def team_today(team: Team) -> date:
    return timezone.localdate(timezone=ZoneInfo(team.timezone))


def visions(team: Team) -> QuerySet[Vision]:
    return Vision.objects.filter(team=team).order_by("-starts_on", "-pk")


def criteria(vision: Vision) -> QuerySet[DoneCriterion]:
    values = CriterionValue.objects.select_related("author", "token").order_by("at", "pk")
    return vision.criteria.prefetch_related(Prefetch("values", queryset=values)).order_by(
        "position", "pk"
    )


def targets(vision: Vision) -> QuerySet[Target]:
    return vision.targets.annotate(revision_count=Count("revisions")).order_by("period")


def target_revisions(target: Target) -> QuerySet[TargetRevision]:
    return target.revisions.select_related("author").order_by("at", "pk")


def reviews(vision: Vision) -> QuerySet[QuarterlyReview]:
    return (
        vision.reviews.select_related("author", "next_target_revision")
        .prefetch_related(ATTENDEES)
        .order_by("period")
    )


def active_vision(team: Team) -> Vision | None:
    return Vision.objects.filter(team=team, status=VisionStatus.ACTIVE).first()


def shown_vision(team: Team) -> Vision | None:
    """The vision the team's pages show: the active one, else the most recent."""
    return active_vision(team) or visions(team).first()


@dataclass(frozen=True)
class ReviewStatus:
    """Where the team stands with its quarterly reviews: the next one due, whether it can be
    held now, and whether it is late (more than two weeks past its date)."""

    period: periods.Period | None  # the next period to review; None once all three are done
    is_open: bool
    is_overdue: bool
    days_late: int

    @property
    def due_on(self) -> date | None:
        return self.period.ends_on if self.period else None


def review_status(vision: Vision, reviewed: set[int], today: date) -> ReviewStatus:
    for period in vision.periods:
        if period.number not in reviewed:
            return ReviewStatus(
                period,
                is_open=periods.review_open(period.ends_on, today),
                is_overdue=periods.review_overdue(period.ends_on, today),
                days_late=max(0, (today - period.ends_on).days),
            )
    return ReviewStatus(None, is_open=False, is_overdue=False, days_late=0)


@dataclass(frozen=True)
class CriterionRow:
    criterion: DoneCriterion
    history: list[CriterionValue]
    spark: pictures.Sparkline | None


@dataclass(frozen=True)
class PeriodRow:
    period: periods.Period
    target: Target | None
    revision_count: int
    is_current: bool
    review: QuarterlyReview | None
    days_left: int | None


@dataclass(frozen=True)
class VisionPage:
    vision: Vision
    today: date
    criteria: list[CriterionRow]
    achieved: bool
    met_count: int
    period_rows: list[PeriodRow]
    current: periods.Period | None
    reviews: list[QuarterlyReview]
    review_status: ReviewStatus
    charter: list[CharterChange]
    roadmap: pictures.Roadmap
    milestones: list[pictures.RoadmapMarker] = field(default_factory=list)


def vision_page(vision: Vision, today: date) -> VisionPage:
    """Everything the vision page draws, in a fixed number of queries whatever it holds."""
    rows = []
    for criterion in criteria(vision):
        history = list(criterion.values.all())
        spark = pictures.sparkline([v.new_value for v in history], criterion.target_value)
        rows.append(CriterionRow(criterion, history, spark))
    by_period = {t.period: t for t in targets(vision)}
    done = list(reviews(vision))
    reviewed = {r.period: r for r in done}
    current = vision.period_on(today)
    period_rows = [
        PeriodRow(
            period,
            by_period.get(period.number),
            getattr(by_period.get(period.number), "revision_count", 0),
            current is not None and current.number == period.number,
            reviewed.get(period.number),
            period.days_left(today) if period.contains(today) else None,
        )
        for period in vision.periods
    ]
    # The team's milestones that fall inside the vision, at their soft dates (one query).
    milestones = [
        pictures.RoadmapMarker(
            m.title, m.target_date, softdates.soft_date(m.target_date, m.precision)
        )
        for m in Milestone.objects.filter(
            team_id=vision.team_id, target_date__range=(vision.starts_on, vision.ends_on)
        )
        .exclude(status=MilestoneStatus.DROPPED)
        .only("title", "target_date", "precision")
        .order_by("target_date", "pk")
    ]
    return VisionPage(
        vision=vision,
        today=today,
        criteria=rows,
        achieved=vision.achieved_by([row.criterion for row in rows]),
        met_count=sum(row.criterion.met for row in rows),
        period_rows=period_rows,
        current=current,
        reviews=done,
        review_status=review_status(vision, set(reviewed), today),
        charter=list(vision.charter_changes.select_related("author").order_by("at", "pk")),
        roadmap=pictures.roadmap(
            vision.starts_on,
            vision.ends_on,
            today=today,
            reviewed=set(reviewed),
            milestones=milestones,
        ),
        milestones=milestones,
    )


@dataclass(frozen=True)
class ReviewView:
    review: QuarterlyReview
    previous: QuarterlyReview | None
    changes: list[str]
    replaced_target: str  # the next target's text before the review revised it ("": none)

    @property
    def met_count(self) -> int:
        return sum(bool(c.get("met")) for c in self.review.snapshot.get("criteria", []))


def review_view(review: QuarterlyReview) -> ReviewView:
    previous = (
        QuarterlyReview.objects.filter(vision_id=review.vision_id, period__lt=review.period)
        .order_by("-period")
        .first()
    )
    revision = review.next_target_revision
    replaced = (
        TargetRevision.objects.filter(target_id=revision.target_id, at__lte=revision.at)
        .exclude(pk=revision.pk)
        .order_by("-at", "-pk")
        .values_list("text", flat=True)
        .first()
        if revision
        else None
    )
    return ReviewView(
        review,
        previous,
        changes_between(previous.snapshot if previous else None, review.snapshot),
        replaced or "",
    )


def team_reviews(team: Team) -> QuerySet[QuarterlyReview]:
    return (
        QuarterlyReview.objects.filter(vision__team=team)
        .select_related("vision", "author")
        .prefetch_related(ATTENDEES)
        .order_by("-held_on", "-pk")
    )


def criteria_token_lookup(secret: str) -> CriteriaToken | None:
    """The live token for a secret, found by its hash (the secret itself is never compared)."""
    token: CriteriaToken | None = CriteriaToken.objects.select_related("vision__team").for_secret(
        secret
    )
    return token


# --- Wall panel -----------------------------------------------------------------------------


def wall_panel(team: Team, now: datetime) -> Mapping[str, Any] | None:
    """The vision on the wall: the current target with the days left in its period, and the
    criteria as met / not met marks. Nothing when there is no active vision. Three queries."""
    vision = active_vision(team)
    if vision is None:
        return None
    today = timezone.localtime(now, ZoneInfo(team.timezone)).date()
    period = vision.period_on(today)
    target = Target.objects.filter(vision=vision, period=period.number).first() if period else None
    marks = list(vision.criteria.order_by("position", "pk"))
    return {
        "vision": vision,
        "period": period,
        "target": target,
        "days_left": period.days_left(today) if period else None,
        "criteria": marks,
        "met_count": sum(c.met for c in marks),
    }


WALL_MILESTONES = 3


def milestones_wall_panel(team: Team, now: datetime) -> Mapping[str, Any] | None:
    """The next open milestones on the wall, at their soft dates, with how often each moved and
    the checklist's progress. Nothing when there are none. Four queries (milestones, their checks
    and slips, the active non-negotiables) however many there are."""
    rows = milestone_rows(
        milestones(team)[:WALL_MILESTONES],
        active_non_negotiables(team),
        timezone.localtime(now, ZoneInfo(team.timezone)).date(),
    )
    return {"rows": rows} if rows else None


# --- Calendar feeds -----------------------------------------------------------------------------


def _feed_visions(query: FeedQuery) -> QuerySet[Vision]:
    """The active visions a feed covers: its team's, or those of every team of the person."""
    if query.scope == FeedScope.TEAM:
        scope = Vision.objects.filter(team=query.team)
    else:
        scope = Vision.objects.filter(team__memberships__user=query.user)
    return scope.filter(status=VisionStatus.ACTIVE)


def review_feed_version(query: FeedQuery) -> FeedStamp:
    """A cheap fingerprint of the review dates a feed shows, in one query: every change that
    moves or renames one (a re-charter, a held review, a renamed team) changes it."""
    rows = list(
        _feed_visions(query)
        .annotate(held=Count("reviews", distinct=True), last_held=Max("reviews__created_at"))
        .order_by("pk")
        .values_list("pk", "updated_at", "team__name", "held", "last_held")
    )
    digest = hashlib.sha256(repr(rows).encode()).hexdigest()[:16]
    changed = [moment for row in rows for moment in (row[1], row[4]) if moment is not None]
    return FeedStamp(digest, max(changed, default=None))


def review_feed_events(query: FeedQuery) -> list[FeedEvent]:
    """Quarterly review dates as all-day, transparent events (shown, never busy): the due date
    of each period's review, or the day it was held. Two queries."""
    active = list(
        _feed_visions(query)
        .select_related("team")
        .annotate(charter_count=Count("charter_changes", distinct=True))
    )
    held = {
        (r.vision_id, r.period): r
        for r in QuarterlyReview.objects.filter(vision__in=active).only(
            "vision_id", "period", "held_on", "created_at"
        )
    }
    events = []
    for vision in active:
        reviews_url = f"{query.base_url}/t/{vision.team.slug}/reviews/" if query.base_url else ""
        for period in vision.periods:
            review = held.get((vision.pk, period.number))
            day = review.held_on if review else period.ends_on
            events.append(
                FeedEvent(
                    uid=f"review-{vision.pk}-{period.number}@focusboard",
                    summary=(
                        f"Quarterly vision review (period {period.number}): {vision.title}"
                        + ("" if review is None else " · held")
                    ),
                    start=day,
                    end=day + timedelta(days=1),
                    # Grows with every re-charter (which moves the date) and when it is held.
                    sequence=vision.charter_count - 1 + (review is not None),
                    changed_at=max(vision.updated_at, review.created_at)
                    if review
                    else vision.updated_at,
                    description=f"{vision.team.name}: {vision.problem}",
                    url=reviews_url,
                    transparent=True,
                )
            )
    return events


# --- Milestones and the non-negotiables -----------------------------------------------------

MILESTONE_FILTERS = ("open", "done", "dropped", "all")


def milestones(team: Team, wanted: str = "open") -> QuerySet[Milestone]:
    """A team's milestones by soft date, with their checks and slips prefetched so a list
    costs the same few queries however long it is."""
    scope = Milestone.objects.filter(team=team)
    if wanted == "open":
        scope = scope.filter(status__in=(MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS))
    elif wanted != "all":
        scope = scope.filter(status=wanted)
    return (
        scope.select_related("target", "team")
        .prefetch_related(
            Prefetch("checks", queryset=Check.objects.order_by("pk")),
            Prefetch("slips", queryset=MilestoneSlip.objects.order_by("at", "pk")),
        )
        .order_by("target_date", "pk")
    )


def active_non_negotiables(team: Team) -> list[NonNegotiable]:
    return list(NonNegotiable.objects.filter(team=team, retired_at__isnull=True))


def missing_titles(
    milestone: Milestone, active: list[NonNegotiable], checks: list[Check]
) -> list[str]:
    """The active non-negotiables this milestone has not met: unchecked, or checked without
    evidence where the non-negotiable requires it."""
    by_item = {check.non_negotiable_id: check for check in checks}
    missing = []
    for item in active:
        check = by_item.get(item.pk)
        if check is None or (item.requires_evidence and not check.has_evidence):
            missing.append(item.title)
    return missing


def missing(milestone: Milestone, active: list[NonNegotiable]) -> list[str]:
    """Titles of the active non-negotiables not met yet (from prefetched checks)."""
    return missing_titles(milestone, active, list(milestone.checks.all()))


def moved(milestone: Milestone) -> str:
    """'moved 2x (+5 weeks)' from prefetched slips; '' when never moved."""
    return softdates.slip_summary([(s.old_date, s.new_date) for s in milestone.slips.all()])


def checks(milestone: Milestone) -> QuerySet[Check]:
    return Check.objects.filter(milestone=milestone).select_related(
        "non_negotiable", "checked_by", "milestone"
    )


@dataclass(frozen=True)
class MilestoneRow:
    """A milestone as the pages and the wall show it (from prefetched checks and slips)."""

    milestone: Milestone
    active: list[NonNegotiable]
    soft_date: str
    passed: str | None
    moved: str
    missing: list[str]

    @property
    def done_count(self) -> int:
        return len(self.active) - len(self.missing)

    @property
    def progress(self) -> str:
        return f"{self.done_count}/{len(self.active)}"


def milestone_rows(
    scope: QuerySet[Milestone], active: list[NonNegotiable], today: date
) -> list[MilestoneRow]:
    rows = []
    for m in scope:
        rows.append(
            MilestoneRow(
                milestone=m,
                active=active,
                soft_date=softdates.soft_date(m.target_date, m.precision),
                passed=(
                    softdates.passed_phrase(m.target_date, m.precision, today)
                    if m.is_open
                    else None
                ),
                moved=moved(m),
                missing=missing(m, active) if m.is_open else [],
            )
        )
    return rows


def group_by_target(rows: list[MilestoneRow]) -> list[tuple[str, list[MilestoneRow]]]:
    """Rows grouped under their target's period and text (those without one last)."""
    groups: dict[str, list[MilestoneRow]] = {}
    for row in rows:
        target = row.milestone.target
        label = f"Period {target.period}: {target.text}" if target else "No target"
        groups.setdefault(label, []).append(row)
    return sorted(groups.items(), key=lambda item: item[0] == "No target")


@dataclass(frozen=True)
class ChecklistLine:
    item: NonNegotiable
    check: Check | None

    @property
    def against_previous_version(self) -> bool:
        return self.check is not None and self.check.version < self.item.version


def checklist(milestone: Milestone, active: list[NonNegotiable]) -> list[ChecklistLine]:
    by_item = {c.non_negotiable_id: c for c in checks(milestone)}
    return [ChecklistLine(item, by_item.get(item.pk)) for item in active]


def _feed_milestones(query: FeedQuery) -> QuerySet[Milestone]:
    """The milestones a feed shows: its team's, or those of every team of the person;
    dropped ones leave the calendar."""
    if query.scope == FeedScope.TEAM:
        scope = Milestone.objects.filter(team=query.team)
    else:
        scope = Milestone.objects.filter(team__memberships__user=query.user)
    return scope.exclude(status=MilestoneStatus.DROPPED)


def milestone_feed_version(query: FeedQuery) -> FeedStamp:
    """A cheap fingerprint of the milestones a feed shows, in one query: a move, a rename, a
    completion or a drop changes it."""
    rows = list(
        _feed_milestones(query).order_by("pk").values_list("pk", "updated_at", "team__name")
    )
    digest = hashlib.sha256(repr(rows).encode()).hexdigest()[:16]
    return FeedStamp(digest, max((row[1] for row in rows), default=None))


def milestone_feed_events(query: FeedQuery) -> list[FeedEvent]:
    """Milestones as all-day, transparent events titled "~ <title>" on their target date,
    with the soft date in the description. One query."""
    events = []
    for m in _feed_milestones(query).select_related("team").order_by("target_date", "pk"):
        url = f"{query.base_url}/t/{m.team.slug}/milestones/{m.pk}/" if query.base_url else ""
        done = " (done)" if m.status == MilestoneStatus.DONE else ""
        events.append(
            FeedEvent(
                uid=f"milestone-{m.pk}@focusboard",
                summary=f"~ {m.title}{done}",
                start=m.target_date,
                end=m.target_date + timedelta(days=1),
                # Seconds since creation at the last change: grows on every change.
                sequence=max(0, int((m.updated_at - m.created_at).total_seconds())),
                changed_at=m.updated_at,
                description=(
                    f"{m.team.name}: aimed for {softdates.soft_date(m.target_date, m.precision)}"
                    " (a target date, not a deadline)."
                ),
                url=url,
                transparent=True,
            )
        )
    return events

"""The vision's rules, through the services (the API and pages call the same functions)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.rules import RuleViolation
from milestones import services
from milestones.models import (
    CharterChange,
    CriterionValue,
    DoneCriterion,
    QuarterlyReview,
    Target,
    TargetRevision,
    Vision,
    VisionStatus,
)
from milestones.periods import add_months

from .conftest import today_of

pytestmark = pytest.mark.django_db


def test_ends_on_defaults_to_nine_months_and_the_charter_is_recorded(people, charter):
    vision = charter(started_days_ago=0)
    assert vision.ends_on == add_months(vision.starts_on, 9)
    change = CharterChange.objects.get(vision=vision)
    assert (change.kind, change.problem, change.author) == (
        "chartered",
        vision.problem,
        people.lead,
    )


def test_a_second_active_vision_is_refused(people, charter):
    charter()
    with pytest.raises(RuleViolation) as exc:
        charter(title="Another problem")
    assert exc.value.code == "active_vision_exists"
    assert "already has an active vision" in exc.value.message
    assert Vision.objects.filter(team=people.team).count() == 1


def test_the_database_holds_one_active_vision_even_past_the_service(people, charter):
    first = charter()
    with pytest.raises(IntegrityError), transaction.atomic():
        Vision.objects.create(
            team=people.team,
            title="Sneaked in",
            problem="p",
            starts_on=first.starts_on,
            ends_on=first.ends_on,
        )
    # An abandoned one does not count: another team may have many old visions.
    services.vision_abandon(vision=first, actor=people.lead, reason="Wrong problem")
    assert charter(title="The right problem").is_active


@pytest.mark.parametrize(
    ("months", "message"), [(6, "at least 7 months"), (19, "18 months after it starts")]
)
def test_dates_outside_the_span_are_refused(people, charter, months, message):
    start = today_of(people.team)
    with pytest.raises(ValidationError, match=message):
        services.vision_create(
            team=people.team,
            actor=people.lead,
            title="T",
            problem="P",
            starts_on=start,
            ends_on=add_months(start, months),
        )
    assert not Vision.objects.exists()


def test_rechartering_needs_a_reason_and_is_kept(people, vision):
    with pytest.raises(RuleViolation) as exc:
        services.vision_update(
            vision=vision, actor=people.lead, fields={"problem": "Something else"}
        )
    assert exc.value.code == "reason_required"
    assert Vision.objects.get(pk=vision.pk).problem == "Search results ignore what users click."
    # The title is not the direction: it changes freely and leaves no re-charter.
    services.vision_update(vision=vision, actor=people.lead, fields={"title": "Trusted ranking"})
    assert not CharterChange.objects.filter(kind="rechartered").exists()
    new_end = vision.ends_on + timedelta(days=30)
    services.vision_update(
        vision=vision,
        actor=people.lead,
        fields={"ends_on": new_end},
        reason="The data arrives a month late.",
    )
    change = CharterChange.objects.filter(vision=vision).last()
    assert (change.kind, change.ends_on, change.reason) == (
        "rechartered",
        new_end,
        "The data arrives a month late.",
    )
    assert Vision.objects.get(pk=vision.pk).periods[2].ends_on == new_end


def test_met_and_achieved_are_computed_and_the_status_follows(people, vision, criteria):
    ndcg, latency = criteria
    assert not ndcg.met and not latency.met
    services.criterion_update_value(criterion=ndcg, value=0.36, actor=people.member)
    assert DoneCriterion.objects.get(pk=ndcg.pk).met
    assert Vision.objects.get(pk=vision.pk).status == VisionStatus.ACTIVE
    services.criterion_update_value(criterion=latency, value=80, actor=people.member)
    vision.refresh_from_db()
    assert vision.status == VisionStatus.ACHIEVED and vision.achieved_at is not None
    assert CharterChange.objects.filter(vision=vision, kind="achieved").count() == 1
    # Reached is reached: a later dip is kept in the history, the status stays.
    services.criterion_update_value(criterion=latency, value=81, actor=people.member)
    assert Vision.objects.get(pk=vision.pk).status == VisionStatus.ACHIEVED


@pytest.mark.parametrize(
    ("comparator", "value", "met"),
    [
        (">=", 0.5, True),
        (">=", 0.49, False),
        ("<=", 0.5, True),
        ("<=", 0.51, False),
        ("==", 0.5, True),
        ("==", 0.1 + 0.4, True),
        ("==", 0.500001, False),
    ],
)
def test_comparators(vision, people, comparator, value, met):
    criterion = services.criterion_add(
        vision=vision,
        actor=people.lead,
        description="",
        metric="m",
        comparator=comparator,
        target_value=0.5,
        current_value=value,
    )
    assert criterion.met is met


def test_a_vision_without_criteria_is_not_achieved(charter):
    vision = charter()
    assert not vision.achieved_by([])


def test_value_history_keeps_who_when_old_and_new(people, criteria):
    ndcg = criteria[0]
    services.criterion_update_value(criterion=ndcg, value=0.33, actor=people.member)
    services.criterion_update_value(criterion=ndcg, value=0.33, actor=people.member)  # unchanged
    history = list(CriterionValue.objects.filter(criterion=ndcg).order_by("at", "pk"))
    assert [(h.old_value, h.new_value) for h in history] == [(None, 0.31), (0.31, 0.33)]
    assert history[-1].author == people.member and history[-1].at <= timezone.now()


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_values_must_be_finite(criteria, people, value):
    with pytest.raises(ValidationError, match="finite"):
        services.criterion_update_value(criterion=criteria[0], value=value, actor=people.member)


def test_revising_a_target_needs_a_reason_and_appends(people, vision):
    target = Target.objects.get(vision=vision, period=1)
    with pytest.raises(RuleViolation) as exc:
        services.target_revise(target=target, actor=people.lead, text="Sharper", reason=" ")
    assert exc.value.code == "reason_required"
    services.target_revise(target=target, actor=people.lead, text="Sharper", reason="Too vague")
    services.target_revise(target=target, actor=people.lead, text="Sharper", reason="no-op")
    revisions = list(TargetRevision.objects.filter(target=target).order_by("at", "pk"))
    assert [(r.text, r.reason) for r in revisions] == [
        ("A click model beats the baseline.", "First version."),
        ("Sharper", "Too vague"),
    ]


def test_one_target_per_period(people, vision):
    with pytest.raises(ValidationError, match="already has a target"):
        services.target_create(vision=vision, actor=people.lead, period=1, text="Again")
    with pytest.raises(ValidationError, match="1, 2 or 3"):
        services.target_create(vision=vision, actor=people.lead, period=4, text="Later")


def test_history_rows_cannot_be_changed_or_deleted(people, vision, criteria):
    revision = TargetRevision.objects.first()
    value = CriterionValue.objects.first()
    change = CharterChange.objects.first()
    for row in (revision, value, change):
        with pytest.raises(TypeError, match="append-only"):
            row.save()
        with pytest.raises(TypeError, match="append-only"):
            row.delete()
        with pytest.raises(TypeError, match="append-only"):
            type(row).objects.filter(pk=row.pk).update(at=timezone.now())
        with pytest.raises(TypeError, match="append-only"):
            type(row).objects.all().delete()


def review(people, vision, **overrides):
    fields = {
        "vision": vision,
        "actor": people.lead,
        "held_on": today_of(people.team),
        "outcome": "partly",
        "evidence": "Offline NDCG up 2 points; latency unchanged.",
        "still_right_problem": True,
        "still_right_note": "Clicks still ignored.",
        "attendees": [people.lead, people.member],
        "next_target_text": "Serve the click model to 5% of traffic.",
    }
    return services.review_record(**{**fields, **overrides})


def test_a_review_saves_everything_with_a_snapshot(people, vision, criteria):
    ndcg, latency = criteria
    recorded = review(people, vision, criteria_values={ndcg.pk: 0.34, latency.pk: None})
    assert recorded.period == 1
    assert set(recorded.attendees.values_list("username", flat=True)) == {"lead", "member"}
    assert DoneCriterion.objects.get(pk=ndcg.pk).current_value == 0.34
    assert CriterionValue.objects.filter(criterion=ndcg).last().author == people.lead
    target = Target.objects.get(vision=vision, period=2)
    assert target.text == "Serve the click model to 5% of traffic."
    assert recorded.next_target_revision.target == target
    snap = recorded.snapshot
    assert [c["current_value"] for c in snap["criteria"]] == [0.34, 95]
    assert [t["period"] for t in snap["targets"]] == [1, 2]
    # Later edits never rewrite what the review saw.
    services.criterion_update_value(criterion=ndcg, value=0.4, actor=people.member)
    services.target_revise(target=target, actor=people.lead, text="Changed", reason="why")
    assert QuarterlyReview.objects.get(pk=recorded.pk).snapshot == snap


def test_a_review_that_revises_the_next_target_needs_a_reason(people, vision):
    services.target_create(vision=vision, actor=people.lead, period=2, text="Old plan")
    with pytest.raises(RuleViolation) as exc:
        review(people, vision, next_target_text="New plan")
    assert exc.value.code == "reason_required"
    recorded = review(people, vision, next_target_text="New plan", next_target_reason="Learned")
    assert recorded.next_target_revision.reason == "Learned"
    # Keeping the next target as it is adds no revision.
    assert Target.objects.get(vision=vision, period=2).revisions.count() == 2


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"outcome": "great"}, "met, partly or missed"),
        ({"evidence": "  "}, "evidence"),
        ({"next_target_text": ""}, "Set the target for period 2"),
        ({"held_on": "tomorrow"}, "once it has been held"),
        ({"attendees": "outsider"}, "Not in the team: outsider"),
        ({"criteria_values": "bad"}, "No criterion"),
        ({"criteria_values": "nan"}, "finite"),
    ],
)
def test_a_failed_review_leaves_nothing_half_written(people, vision, criteria, overrides, error):
    values = {
        "tomorrow": today_of(people.team) + timedelta(days=1),
        "outsider": [people.lead, people.outsider],
        "bad": {criteria[0].pk: 0.5, 999999: 1.0},
        "nan": {criteria[0].pk: 0.5, criteria[1].pk: float("nan")},
    }
    overrides = {k: values.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()}
    counts = (CriterionValue.objects.count(), TargetRevision.objects.count())
    with pytest.raises(ValidationError, match=error):
        review(people, vision, **{"criteria_values": {criteria[0].pk: 0.5}, **overrides})
    assert not QuarterlyReview.objects.exists()
    assert (CriterionValue.objects.count(), TargetRevision.objects.count()) == counts
    assert DoneCriterion.objects.get(pk=criteria[0].pk).current_value == 0.31
    assert not Target.objects.filter(period=2).exists()


def test_reviews_open_two_weeks_before_a_period_ends_and_once_per_period(people, charter):
    vision = charter(started_days_ago=60)  # period 1 ends in about a month
    with pytest.raises(ValidationError, match="No period is ending yet"):
        review(people, vision)
    Vision.objects.filter(pk=vision.pk).update(
        starts_on=add_months(today_of(people.team), -3) + timedelta(days=13)
    )
    vision.refresh_from_db()
    assert review(people, vision).period == 1
    with pytest.raises(ValidationError, match="No period is ending yet"):
        review(people, vision)  # period 2 has barely started


def test_the_last_periods_review_sets_no_next_target(people, charter):
    vision = charter(started_days_ago=0)
    Vision.objects.filter(pk=vision.pk).update(
        starts_on=add_months(today_of(people.team), -9) - timedelta(days=3),
        ends_on=today_of(people.team) - timedelta(days=3),
    )
    vision.refresh_from_db()
    for period in (1, 2):
        review(people, vision, next_target_text=f"Target {period + 1}")
    with pytest.raises(ValidationError, match="last period"):
        review(people, vision, next_target_text="A fourth?")
    assert review(people, vision, next_target_text="").period == 3
    with pytest.raises(ValidationError, match="All three periods of this vision are reviewed"):
        review(people, vision, next_target_text="")


def test_a_closed_vision_no_longer_changes(people, vision, criteria):
    services.vision_abandon(vision=vision, actor=people.lead, reason="Wrong problem")
    attempts = [
        lambda: services.vision_update(vision=vision, actor=people.lead, fields={"title": "X"}),
        lambda: services.criterion_add(
            vision=vision, actor=people.lead, metric="m", comparator=">=", target_value=1
        ),
        lambda: services.target_create(vision=vision, actor=people.lead, period=2, text="T"),
        lambda: services.vision_abandon(vision=vision, actor=people.lead, reason="again"),
    ]
    for attempt in attempts:
        with pytest.raises(RuleViolation) as exc:
            attempt()
        assert exc.value.code == "invalid_transition"
    assert Vision.objects.get(pk=vision.pk).title == "Ranking that users trust"


@pytest.mark.parametrize("year", [1969, 9999])
def test_a_vision_outside_the_planning_years_is_refused_by_the_service_itself(people, year):
    with pytest.raises(ValidationError) as refused:
        services.vision_create(
            team=people.team,
            actor=people.lead,
            title="Far away",
            problem="Dates no one plans for.",
            starts_on=date(year, 6, 1),
        )
    assert "starts_on" in refused.value.message_dict
    assert not Vision.objects.filter(team=people.team).exists()

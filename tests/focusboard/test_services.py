from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.rules import RuleViolation
from focusboard import services
from focusboard.models import FocusEvent, FocusItem, FocusStatus
from teams.models import Team
from teams.services import team_update

pytestmark = pytest.mark.django_db


def kinds(item: FocusItem) -> list[str]:
    return list(FocusEvent.objects.filter(item=item).values_list("kind", flat=True))


def active_titles(team: Team) -> list[str]:
    return list(
        FocusItem.objects.filter(team=team, status="active")
        .order_by("position")
        .values_list("title", flat=True)
    )


def test_add_up_to_the_cap_then_refuse(people, add):
    for n in range(3):
        add(f"Topic {n}")
    with pytest.raises(RuleViolation) as refused:
        add("One too many")
    assert refused.value.code == "focus_cap_reached"
    assert "at most 3" in refused.value.message
    assert refused.value.extra == {"focus_cap": 3, "active": 3}
    assert FocusItem.objects.filter(team=people.team).count() == 3


def test_a_full_board_still_takes_parked_ideas(people, full_board, add):
    item = add("Later", status=FocusStatus.PARKED)
    assert item.status == "parked" and item.slot is None


def test_every_transition_writes_an_event_with_the_actor(people, add):
    item = add("Topic")
    services.focus_item_park(item=item, actor=people.member)
    services.focus_item_activate(item=item, actor=people.member)
    services.focus_item_edit(item=item, actor=people.member, title="Renamed", fields={"title"})
    services.focus_item_finish(item=item, actor=people.member)
    other = add("Other")
    services.focus_item_drop(item=other, actor=people.member)
    assert kinds(item) == ["added", "parked", "activated", "edited", "finished"]
    assert kinds(other) == ["added", "dropped"]
    events = FocusEvent.objects.filter(item=item).order_by("pk")
    assert [e.actor for e in events] == [people.lead] + [people.member] * 4
    assert [e.active_after for e in events] == [True, False, True, True, False]
    assert events[3].detail == {"changes": {"title": {"from": "Topic", "to": "Renamed"}}}


def test_swap_parks_one_and_activates_the_other_in_its_place(people, full_board):
    active, parked = full_board
    services.focus_item_swap(item=parked[0], replace=active[1], actor=people.member)
    assert active_titles(people.team) == ["Active 0", "Parked 0", "Active 2"]
    assert FocusItem.objects.get(pk=active[1].pk).status == "parked"
    assert kinds(parked[0])[-1] == "swapped"
    assert kinds(active[1])[-1] == "parked"
    assert FocusEvent.objects.filter(item=parked[0]).last().detail == {"replaced": active[1].pk}


@pytest.mark.parametrize(
    ("which", "code"),
    [("active-for-active", "invalid_transition"), ("parked-for-parked", "invalid_transition")],
)
def test_swap_refuses_wrong_states_and_changes_nothing(people, full_board, which, code):
    active, parked = full_board
    item, replace = (
        (active[0], active[1]) if which == "active-for-active" else (parked[0], parked[1])
    )
    with pytest.raises(RuleViolation) as refused:
        services.focus_item_swap(item=item, replace=replace, actor=people.member)
    assert refused.value.code == code
    assert active_titles(people.team) == ["Active 0", "Active 1", "Active 2"]


def test_swap_with_another_teams_item_is_refused(people, full_board):
    _, parked = full_board
    other_team = Team.objects.get(slug="other")
    stranger = services.focus_item_add(team=other_team, actor=people.outsider, title="Theirs")
    with pytest.raises(ValidationError):
        services.focus_item_swap(item=parked[0], replace=stranger, actor=people.member)
    assert FocusItem.objects.get(pk=stranger.pk).status == "active"


def test_activate_on_a_full_board_is_refused(people, full_board):
    _, parked = full_board
    with pytest.raises(RuleViolation) as refused:
        services.focus_item_activate(item=parked[0], actor=people.member)
    assert refused.value.code == "focus_cap_reached"
    assert FocusItem.objects.get(pk=parked[0].pk).status == "parked"


@pytest.mark.parametrize(
    ("start", "service"),
    [
        ("done", services.focus_item_park),
        ("done", services.focus_item_activate),
        ("dropped", services.focus_item_finish),
        ("parked", services.focus_item_park),
        ("active", services.focus_item_activate),
    ],
)
def test_impossible_transitions_are_409(people, add, start, service):
    item = add("Topic")
    if start != "active":
        {
            "done": services.focus_item_finish,
            "dropped": services.focus_item_drop,
            "parked": services.focus_item_park,
        }[start](item=item, actor=people.lead)
    events_before = FocusEvent.objects.count()
    with pytest.raises(RuleViolation) as refused:
        service(item=item, actor=people.lead)
    assert refused.value.code == "invalid_transition"
    assert FocusEvent.objects.count() == events_before


def test_finish_frees_the_slot(people, full_board, add):
    active, _ = full_board
    services.focus_item_finish(item=active[0], actor=people.lead)
    assert add("Next").slot == active[0].slot


def test_move_reorders_and_records(people, full_board):
    active, _ = full_board
    services.focus_item_move(item=active[2], actor=people.lead, position=0)
    assert active_titles(people.team) == ["Active 2", "Active 0", "Active 1"]
    event = FocusEvent.objects.filter(item=active[2]).last()
    assert (event.kind, event.detail) == ("reordered", {"position_from": 2, "position_to": 0})
    # Out-of-range positions clamp; a no-op move records nothing.
    services.focus_item_move(item=active[2], actor=people.lead, position=-5)
    assert FocusEvent.objects.filter(item=active[2], kind="reordered").count() == 1


def test_edit_validates_and_keeps_data(people, add):
    item = add("Topic", why="Because")
    with pytest.raises(ValidationError):
        services.focus_item_edit(item=item, actor=people.lead, title="x" * 81, fields={"title"})
    with pytest.raises(ValidationError):
        services.focus_item_edit(item=item, actor=people.lead, title="   ", fields={"title"})
    with pytest.raises(ValidationError, match="not a member"):
        services.focus_item_edit(
            item=item, actor=people.lead, owner=people.outsider, fields={"owner"}
        )
    with pytest.raises(ValidationError, match="not a member"):
        services.focus_item_edit(
            item=item, actor=people.lead, owner=people.viewer, fields={"owner"}
        )
    item.refresh_from_db()
    assert (item.title, item.why, item.owner) == ("Topic", "Because", None)
    assert kinds(item) == ["added"]


def test_add_validates(people, add):
    with pytest.raises(ValidationError):
        add("")
    with pytest.raises(ValidationError):
        add("t" * 81)
    with pytest.raises(ValidationError):
        add("Done already", status="done")
    assert not FocusItem.objects.exists()


def test_lowering_the_cap_below_active_is_refused(people, full_board):
    with pytest.raises(RuleViolation) as refused:
        team_update(team=people.team, focus_cap=2)
    assert refused.value.code == "cap_below_active"
    assert "Park, finish or drop 1 first" in refused.value.message
    assert Team.objects.get(pk=people.team.pk).focus_cap == 3
    active, _ = full_board
    services.focus_item_park(item=active[0], actor=people.lead)
    assert team_update(team=people.team, focus_cap=2).focus_cap == 2


def test_database_backstop_refuses_a_sixth_active_item_even_without_services(people):
    Team.objects.filter(pk=people.team.pk).update(focus_cap=5)
    for slot in range(1, 6):
        FocusItem.objects.create(team=people.team, title=f"T{slot}", status="active", slot=slot)
    for slot in (1, 6, None):  # a taken slot, a slot past 5, no slot at all
        with pytest.raises(IntegrityError), transaction.atomic():
            FocusItem.objects.create(team=people.team, title="Sixth", status="active", slot=slot)
    assert FocusItem.objects.filter(team=people.team, status="active").count() == 5


def test_backstop_integrity_error_becomes_the_same_409(people, full_board, monkeypatch):
    """If a write ever raced past the lock, the database refuses it and the person still
    gets `focus_cap_reached`, not a 500."""
    active, parked = full_board
    services.focus_item_park(item=active[0], actor=people.lead)
    # Simulate a racer that computed the free slot before another request took it.
    monkeypatch.setattr(services, "_occupy_slot", _occupy_taken_slot(active[1].slot))
    with pytest.raises(RuleViolation) as refused:
        services.focus_item_activate(item=parked[0], actor=people.lead)
    assert refused.value.code == "focus_cap_reached"
    assert FocusItem.objects.get(pk=parked[0].pk).status == "parked"


def _occupy_taken_slot(slot: int):
    def occupy(team, item):
        item.status, item.slot = FocusStatus.ACTIVE, slot

    return occupy


def test_events_are_append_only(people, add):
    add("Topic")
    event = FocusEvent.objects.get()
    event.kind = "dropped"
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        event.delete()
    with pytest.raises(TypeError, match="append-only"):
        FocusEvent.objects.filter(pk=event.pk).update(kind="dropped")
    with pytest.raises(TypeError, match="append-only"):
        FocusEvent.objects.all().delete()
    assert FocusEvent.objects.get().kind == "added"

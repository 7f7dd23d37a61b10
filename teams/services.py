"""Every write to teams, memberships and profiles goes through here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.rules import RuleCode, RuleViolation

from .models import Membership, Profile, Role, Team

# Apps that own things counted against the team's focus cap register a function here that
# returns how many are active (focusboard does, in its AppConfig.ready). `teams` sits at
# the bottom of the dependency chain, so it asks instead of importing them.
FocusCapFloor = Callable[[Team], int]
_focus_cap_floors: list[FocusCapFloor] = []


def register_focus_cap_floor(floor: FocusCapFloor) -> None:
    if floor not in _focus_cap_floors:
        _focus_cap_floors.append(floor)


def lock_team(team: Team) -> Team:
    """Lock the team row for the rest of the transaction.

    Every service that checks a per-team count (the focus cap, the last lead) takes this
    lock first, so concurrent requests for the same team run one after the other. On
    PostgreSQL this is SELECT ... FOR UPDATE; on SQLite the IMMEDIATE transaction mode
    already holds the database write lock from BEGIN, and select_for_update is a no-op.
    """
    return Team.objects.select_for_update().get(pk=team.pk)


@transaction.atomic
def team_create(
    *, creator: User, slug: str, name: str, timezone: str = "UTC", focus_cap: int = 3
) -> Team:
    """Create a team; its creator becomes its lead."""
    team = Team(slug=slug, name=name, timezone=timezone, focus_cap=focus_cap)
    team.full_clean()
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError as exc:  # a concurrent create with the same slug
        raise ValidationError({"slug": ["A team with this slug already exists."]}) from exc
    Membership.objects.create(team=team, user=creator, role=Role.LEAD)
    return team


@transaction.atomic
def team_update(*, team: Team, **fields: Any) -> Team:
    """Change name, timezone or focus cap.

    The cap may not go below the number of items active now: park or finish first
    (409 `cap_below_active`). Nothing is silently parked on the team's behalf.
    """
    allowed = {"name", "timezone", "focus_cap"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"team_update() got unexpected fields: {sorted(unknown)}")
    team = lock_team(team)
    for name, value in fields.items():
        setattr(team, name, value)
    team.full_clean()
    if "focus_cap" in fields:
        active = max((floor(team) for floor in _focus_cap_floors), default=0)
        if active > team.focus_cap:
            raise RuleViolation(
                RuleCode.CAP_BELOW_ACTIVE,
                f"{active} focus items are active, so the cap cannot go down to "
                f"{team.focus_cap}. Park, finish or drop {active - team.focus_cap} first.",
                active=active,
                focus_cap=team.focus_cap,
            )
    team.save()
    return team


def _user_by_username(username: str) -> User:
    user_model = get_user_model()
    try:
        return user_model.objects.get(username=username)
    except user_model.DoesNotExist as exc:
        raise ValidationError({"username": [f"There is no user called {username!r}."]}) from exc


@transaction.atomic
def membership_add(*, team: Team, username: str, role: str = Role.MEMBER) -> Membership:
    """Add a person to a team; a person is a member of a team at most once."""
    team = lock_team(team)
    user = _user_by_username(username)
    membership = Membership(team=team, user=user, role=role)
    membership.full_clean(validate_constraints=False)
    if Membership.objects.filter(team=team, user=user).exists():
        raise ValidationError({"username": [f"{username} is already a member of {team.name}."]})
    membership.save()
    return membership


def ensure_another_lead(team: Team, leaving: Membership) -> None:
    """A team always keeps at least one lead: refuse when `leaving` is its only one."""
    if leaving.role != Role.LEAD:
        return
    others = Membership.objects.filter(team=team, role=Role.LEAD).exclude(pk=leaving.pk)
    if not others.exists():
        raise RuleViolation(
            RuleCode.LAST_LEAD,
            f"{leaving.user} is the only lead of {team.name}; make someone else lead first.",
        )


@transaction.atomic
def membership_change_role(*, team: Team, username: str, role: str) -> Membership:
    """Change a member's role; a team always keeps at least one lead."""
    team = lock_team(team)
    membership = Membership.objects.select_related("user").get(
        team=team, user__username=username
    )  # 404 if gone
    if role != Role.LEAD:
        ensure_another_lead(team, membership)
    membership.role = role
    membership.full_clean(validate_constraints=False)
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, team: Team, username: str) -> None:
    """Remove a member; a team always keeps at least one lead."""
    team = lock_team(team)
    membership = Membership.objects.select_related("user").get(
        team=team, user__username=username
    )  # 404 if gone
    ensure_another_lead(team, membership)
    membership.delete()


def profile_for(user: User) -> Profile:
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def profile_update(
    *,
    user: User,
    timezone: str | None = None,
    workday_start: time | None = None,
    workday_end: time | None = None,
    lunch_start: time | None = None,
    lunch_end: time | None = None,
    receive_invitations: bool = True,
    fields: set[str],
) -> Profile:
    """Update the listed fields of a person's profile (None clears an override)."""
    profile = profile_for(user)
    values = {
        "timezone": timezone or "",
        "workday_start": workday_start,
        "workday_end": workday_end,
        "lunch_start": lunch_start,
        "lunch_end": lunch_end,
        "receive_invitations": receive_invitations,
    }
    for name in fields:
        setattr(profile, name, values[name])
    profile.full_clean()
    profile.save()
    return profile

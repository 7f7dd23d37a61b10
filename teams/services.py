"""Every write to teams, memberships and profiles goes through here."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone as django_timezone

from core.rules import RuleCode, RuleViolation
from core.text import strip_bidi
from core.tokens import hash_secret

from .models import (
    ApiToken,
    Invitation,
    InvitationState,
    Membership,
    Profile,
    Role,
    Team,
    display_name,
)

logger = logging.getLogger(__name__)

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


TEAM_CREATION_STAFF_ONLY = (
    "Only administrators create teams here. Ask one to create yours, or a lead to invite you."
)


def may_create_teams(user: User) -> bool:
    return settings.FOCUSBOARD_TEAM_CREATION == "anyone" or user.is_staff


@transaction.atomic
def team_create(
    *, creator: User, slug: str, name: str, timezone: str = "UTC", focus_cap: int = 3
) -> Team:
    """Create a team; its creator becomes its lead. Who may create teams is the deployment's
    setting FOCUSBOARD_TEAM_CREATION: anyone signed in, or staff only."""
    if not may_create_teams(creator):
        raise PermissionDenied(TEAM_CREATION_STAFF_ONLY)
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


def user_by_username(username: str) -> User:
    """Only staff may learn from an answer whether a username exists (see membership_add)."""
    user_model = get_user_model()
    try:
        return user_model.objects.get(username=username)
    except user_model.DoesNotExist as exc:
        raise ValidationError({"username": [f"There is no user called {username!r}."]}) from exc


@transaction.atomic
def membership_add(*, team: Team, username: str, role: str = Role.MEMBER) -> Membership:
    """Add a person to a team; a person is a member of a team at most once."""
    team = lock_team(team)
    user = user_by_username(username)
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
    logger.info("membership removed: %s from %s (was %s)", username, team.slug, membership.role)


@transaction.atomic
def membership_restore(*, team: Team, user_id: int, role: str, actor: User | None) -> Membership:
    """Undo a removal: the person is back with the role they had. Only reachable through a
    signed undo of a real removal (see core.undo), never as a way round invitations.
    Refused with 409 `undo_outdated` when they are in the team again already."""
    team = lock_team(team)
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise RuleViolation(
            RuleCode.UNDO_OUTDATED,
            "That person's account no longer exists, so they cannot be brought back.",
        )
    current = Membership.objects.filter(team=team, user=user).first()
    if current is not None:
        role_now = current.get_role_display().lower()
        raise RuleViolation(
            RuleCode.UNDO_OUTDATED,
            f"{user.username} is already back in {team.name} (as {role_now}), so there is "
            "nothing to undo.",
        )
    membership = Membership(team=team, user=user, role=role)
    membership.full_clean(validate_constraints=False)
    membership.save()
    logger.info(
        "membership restored (undo): %s to %s as %s by %s",
        user.username,
        team.slug,
        role,
        actor.username if actor else "-",
    )
    return membership


@transaction.atomic
def name_update(*, user: User, first_name: str, last_name: str) -> User:
    """The name people see (display_name); empty falls back to the username."""
    user.first_name = strip_bidi(first_name).strip()
    user.last_name = strip_bidi(last_name).strip()
    user.full_clean(exclude=["password", "username"])
    user.save(update_fields=["first_name", "last_name"])
    return user


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


# --- Invitations ---------------------------------------------------------------------------


class InvitationGone(Exception):
    """An invitation that can no longer be used (410): `state` says whether it was used,
    expired or revoked, `message` says so to the person who opened it."""

    SENTENCES = {
        InvitationState.USED: "This invitation has already been used. Ask {who} for a new one.",
        InvitationState.EXPIRED: "This invitation has expired. Ask {who} for a new one.",
        InvitationState.REVOKED: "This invitation was withdrawn by the team's lead.",
    }

    def __init__(self, invitation: Invitation, state: InvitationState) -> None:
        who = display_name(invitation.invited_by) if invitation.invited_by else "the team's lead"
        self.state = state
        self.team = invitation.team
        self.message = self.SENTENCES[state].format(who=who)
        super().__init__(self.message)


def invited_by_username_sentence(username: str) -> str:
    """The one answer to "add by username" for people who are not staff, whether or not
    the username exists."""
    return (
        f"Invited {username}: if that is their username, they will find the invitation on "
        "their home page when they sign in. To reach someone new, send an invitation link."
    )


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    url: str  # shown once, to the lead who made it


def invitation_find(secret: str) -> Invitation | None:
    """The invitation of a secret, whatever its state (a used or revoked one still answers,
    so the page can say which); None for a secret we never issued."""
    if not secret or len(secret) > 200:
        return None
    return (
        Invitation.objects.select_related("team", "invited_by")
        .filter(token_hash=hash_secret(secret))
        .first()
    )


def _send_invitation(invitation: Invitation, url: str) -> None:
    """Runs after commit: the invitation exists whatever the mail server does. A failure is
    logged (never the link: it is the secret) instead of turning the lead's request into a 500;
    the lead still has the link, shown once, to share another way."""
    inviter = display_name(invitation.invited_by) if invitation.invited_by else "A lead"
    days = settings.FOCUSBOARD_INVITATION_DAYS
    try:
        send_mail(
            subject=f"{inviter} invites you to {invitation.team.name} on Focusboard",
            message=(
                f"{inviter} invites you to join {invitation.team.name} on Focusboard as "
                f"{invitation.get_role_display().lower()}.\n\nOpen this link to accept (it "
                f"works once and for {days} days):\n{url}\n"
            ),
            from_email=None,
            recipient_list=[invitation.email],
        )
    except (OSError, smtplib.SMTPException) as exc:
        logger.warning(
            "Invitation %s to %s could not be emailed: %s", invitation.pk, invitation.email, exc
        )


@transaction.atomic
def invitation_create(
    *,
    team: Team,
    invited_by: User,
    role: str = Role.MEMBER,
    email: str = "",
    username: str = "",
    url_for: Callable[[str], str],
) -> IssuedInvitation:
    """Invite into the team with a role: a link (no email), a message to `email` (sent after
    commit through the email backend), or for `username`. Single use; expires after
    FOCUSBOARD_INVITATION_DAYS; only the secret's hash is stored. `url_for(secret)` is the
    address of the invitation page."""
    invitation, secret = Invitation.issue(
        team=team,
        role=role,
        email=email,
        username=username,
        invited_by=invited_by,
        expires_at=django_timezone.now() + timedelta(days=settings.FOCUSBOARD_INVITATION_DAYS),
    )
    url = url_for(secret)
    if email:
        transaction.on_commit(lambda: _send_invitation(invitation, url))
    return IssuedInvitation(invitation, url)


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> None:
    invitation.revoke()


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Join the invitation's team with its role; the invitation is used up. A person already
    in the team keeps their role and the invitation stays open for someone else.
    Raises InvitationGone when it was used, expired or revoked."""
    # Only the invitation's row is locked (PostgreSQL refuses FOR UPDATE on the nullable side
    # of the join to the inviter): two people opening one link at once use it once.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    state = invitation.state(django_timezone.now())
    if state != InvitationState.PENDING:
        raise InvitationGone(invitation, state)
    team = lock_team(invitation.team)
    existing = Membership.objects.filter(team=team, user=user).first()
    if existing is not None:
        return existing
    membership = Membership.objects.create(team=team, user=user, role=invitation.role)
    now = django_timezone.now()
    Invitation.objects.filter(pk=invitation.pk).update(used_at=now, used_by=user)
    invitation.mark_used(now=now)
    return membership


@transaction.atomic
def invitation_sign_up(
    *, invitation: Invitation, name: str, username: str, password: str, email: str = ""
) -> tuple[User, Membership]:
    """Create an account through an invitation and join its team, in one transaction: a used
    or expired invitation creates no account."""
    state = invitation.state(django_timezone.now())
    if state != InvitationState.PENDING:
        raise InvitationGone(invitation, state)
    user_model = get_user_model()
    user = user_model(username=username, email=email or invitation.email)
    first, _, last = name.strip().partition(" ")
    user.first_name, user.last_name = first[:150], last[:150]
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same username taken at the same instant
        raise ValidationError({"username": ["That username is taken; pick another."]}) from exc
    return user, invitation_accept(invitation=invitation, user=user)


# --- API tokens -------------------------------------------------------------------------------
@transaction.atomic
def api_token_create(
    *, user: User, name: str, days: int | None = None, secret: str | None = None
) -> tuple[ApiToken, str]:
    """A new API key for a person; returns it with its secret, shown once. `days`: it stops
    working that many days from now (None: until revoked). `secret` is for keys made
    elsewhere and brought in (a migration), never chosen by a person."""
    expires_at = django_timezone.now() + timedelta(days=days) if days else None
    if secret is None:
        return ApiToken.issue(user=user, name=name, expires_at=expires_at)
    token = ApiToken(user=user, name=name, expires_at=expires_at, token_hash=hash_secret(secret))
    token.full_clean()
    token.save()
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> None:
    """A person revokes their own keys only."""
    if token.user_id != actor.pk:
        raise PermissionDenied("This is not your token.")
    token.revoke()

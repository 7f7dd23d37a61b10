"""Every write to the focus board. Each transition locks the team row first, so the cap
check and the write it guards happen with no other board change in between, and records a
FocusEvent with the actor."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.rules import RuleCode, RuleViolation
from core.text import strip_bidi
from core.wall import notify_wall_changed
from milestones.models import Milestone
from teams.models import FOCUS_CAP_MAX, Membership, Role, Team, display_name
from teams.services import lock_team

from . import selectors
from .models import (
    CLOSED,
    CLOSINGS,
    OPEN,
    OUTCOME_MAX_LENGTH,
    TRANSITIONS,
    FocusEvent,
    FocusEventKind,
    FocusItem,
    FocusStatus,
    KioskToken,
    WallPlaylist,
    WallPlaylistToken,
    WallScreen,
)


def _cap_reached(team: Team, active: int) -> RuleViolation:
    return RuleViolation(
        RuleCode.FOCUS_CAP_REACHED,
        f"The board is full: {team.name} focuses on at most {team.focus_cap} topics at once "
        f"and {active} are active. Park, finish or swap an item first.",
        focus_cap=team.focus_cap,
        active=active,
    )


def _record(item: FocusItem, kind: FocusEventKind, actor: User | None, **detail: Any) -> FocusEvent:
    return FocusEvent.objects.create(
        team_id=item.team_id,
        item=item,
        kind=kind,
        actor=actor,
        at=timezone.now(),
        active_after=item.status == FocusStatus.ACTIVE,
        detail=detail,
    )


def _locked_item(item: FocusItem) -> tuple[Team, FocusItem]:
    """Lock the item's team, then re-read the item: another request may have changed it
    between the caller's read and this transaction."""
    team = lock_team(item.team)
    fresh = FocusItem.objects.select_related("owner").get(pk=item.pk, team=team)
    return team, fresh


def _occupy_slot(team: Team, item: FocusItem) -> None:
    """Make `item` active in the first free slot, at the end of the board order, refusing
    when the team's cap is reached."""
    others = list(
        FocusItem.objects.filter(team=team, status=FocusStatus.ACTIVE)
        .exclude(pk=item.pk)
        .values_list("slot", "position")
    )
    if len(others) >= team.focus_cap:
        raise _cap_reached(team, len(others))
    taken = {slot for slot, _ in others}
    item.slot = next(slot for slot in range(1, FOCUS_CAP_MAX + 1) if slot not in taken)
    item.status = FocusStatus.ACTIVE
    item.activated_at = timezone.now()
    item.closed_at = None
    item.position = max((position for _, position in others), default=-1) + 1


def _save(item: FocusItem, team: Team) -> None:
    """Save behind a savepoint: if the database's slot backstop refuses the row (a write
    that raced past the lock), answer with the same 409 as the service check."""
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:
        if item.status != FocusStatus.ACTIVE:
            raise
        active = FocusItem.objects.filter(team=team, status=FocusStatus.ACTIVE).count()
        raise _cap_reached(team, active) from exc


def _check_owner(team: Team, owner: User | None) -> None:
    if owner is None:
        return
    is_maker = Membership.objects.filter(
        team=team, user=owner, role__in=[Role.LEAD, Role.MEMBER]
    ).exists()
    if not is_maker:
        raise ValidationError(
            {"owner": [f"{display_name(owner)} is not a member of {team.name} who can own work."]}
        )


def _check_milestone(team: Team, milestone: Milestone | None) -> None:
    """A topic moves towards one of its own team's open milestones (the board offers only
    those; the API and any other caller are held to the same rule here)."""
    if milestone is None:
        return
    if milestone.team_id != team.pk:
        raise ValidationError({"milestone": ["That milestone belongs to another team."]})
    if not milestone.is_open:
        raise ValidationError(
            {
                "milestone": [
                    f"“{milestone.title}” is {milestone.get_status_display().lower()}: "
                    "link an open milestone."
                ]
            }
        )


def _require(item: FocusItem, allowed: tuple[str, ...], doing: str) -> None:
    if item.status not in allowed:
        raise RuleViolation(
            RuleCode.INVALID_TRANSITION,
            f"“{item.title}” is {item.status}, so it cannot be {doing}.",
            status=item.status,
        )


@transaction.atomic
def focus_item_add(
    *,
    team: Team,
    actor: User | None,
    title: str,
    why: str = "",
    owner: User | None = None,
    milestone: Milestone | None = None,
    status: str = FocusStatus.ACTIVE,
) -> FocusItem:
    """Put a new topic on the board (or straight into parked), optionally towards one of the
    team's milestones.

    Refused with 409 `focus_cap_reached` when the board already holds `focus_cap` active
    items: the cap is a hard limit, never a warning.
    """
    if status not in OPEN:
        raise ValidationError({"status": ["A new item is either active or parked."]})
    team = lock_team(team)
    # Built parked; _occupy_slot then puts it on the board if it was asked for and fits.
    item = FocusItem(
        team=team,
        title=title.strip(),
        why=why.strip(),
        owner=owner,
        milestone=milestone,
        created_by=actor,
        status=FocusStatus.PARKED,
    )
    item.full_clean(validate_constraints=False)
    _check_owner(team, owner)
    _check_milestone(team, milestone)
    if status == FocusStatus.ACTIVE:
        _occupy_slot(team, item)
    _save(item, team)
    _record(item, FocusEventKind.ADDED, actor, status=item.status)
    return item


@transaction.atomic
def focus_item_activate(*, item: FocusItem, actor: User | None) -> FocusItem:
    """Bring a parked item (back) onto the board, within the cap."""
    team, item = _locked_item(item)
    _require(item, (FocusStatus.PARKED,), "put on the board")
    _occupy_slot(team, item)
    _save(item, team)
    _record(item, FocusEventKind.ACTIVATED, actor)
    return item


def _take_off_board(item: FocusItem, status: FocusStatus) -> None:
    item.status = status
    item.slot = None
    if status in CLOSED:
        item.closed_at = timezone.now()


def _clean_outcome(outcome: str) -> str:
    # Stripped here too: the event log keeps the text, not only the field.
    outcome = strip_bidi(outcome).strip()
    if len(outcome) > OUTCOME_MAX_LENGTH:
        raise ValidationError(
            {"outcome": [f"Keep the outcome to {OUTCOME_MAX_LENGTH} characters or fewer."]}
        )
    return outcome


def _take_off_board_and_record(
    item: FocusItem,
    actor: User | None,
    *,
    status: FocusStatus,
    kind: FocusEventKind,
    allowed: tuple[str, ...],
    doing: str,
    outcome: str = "",
) -> FocusItem:
    outcome = _clean_outcome(outcome)
    team, item = _locked_item(item)
    _require(item, allowed, doing)
    was = item.status
    _take_off_board(item, status)
    detail: dict[str, Any] = {"from": was}
    if status != FocusStatus.PARKED:
        item.outcome = outcome
        if outcome:
            detail["outcome"] = outcome
    _save(item, team)
    _record(item, kind, actor, **detail)
    return item


@transaction.atomic
def focus_item_park(*, item: FocusItem, actor: User | None) -> FocusItem:
    """Take an active item off the board without finishing it."""
    return _take_off_board_and_record(
        item,
        actor,
        status=FocusStatus.PARKED,
        kind=FocusEventKind.PARKED,
        allowed=(FocusStatus.ACTIVE,),
        doing="parked",
    )


@transaction.atomic
def focus_item_finish(*, item: FocusItem, actor: User | None, outcome: str = "") -> FocusItem:
    """Mark an active or parked item done, optionally with what the team learned."""
    return _take_off_board_and_record(
        item,
        actor,
        status=FocusStatus.DONE,
        kind=FocusEventKind.FINISHED,
        allowed=OPEN,
        doing="finished",
        outcome=outcome,
    )


@transaction.atomic
def focus_item_drop(*, item: FocusItem, actor: User | None, outcome: str = "") -> FocusItem:
    """Decide not to pursue an active or parked item, optionally saying what was learned."""
    return _take_off_board_and_record(
        item,
        actor,
        status=FocusStatus.DROPPED,
        kind=FocusEventKind.DROPPED,
        allowed=OPEN,
        doing="dropped",
        outcome=outcome,
    )


@transaction.atomic
def focus_item_note_outcome(*, item: FocusItem, actor: User | None, outcome: str) -> FocusItem:
    """Write (or rewrite) what the team learned from a finished or dropped topic. The item
    keeps the latest note; the event log keeps every one."""
    outcome = _clean_outcome(outcome)
    team, item = _locked_item(item)
    _require(item, CLOSED, "given an outcome")
    if outcome == item.outcome:
        return item
    item.outcome = outcome
    _save(item, team)
    _record(item, FocusEventKind.OUTCOME, actor, outcome=outcome)
    return item


def _outdated(item: FocusItem, message: str) -> RuleViolation:
    return RuleViolation(RuleCode.UNDO_OUTDATED, message, status=item.status)


@transaction.atomic
def focus_item_undo(
    *, item: FocusItem, actor: User | None, event: FocusEvent | None = None
) -> FocusItem:
    """Take back a finish or a drop: the item returns to where it was, on the board or
    parked, and the log records the undo (the finish or drop itself stays in the log).

    `event` is the finish/drop being undone (default: the item's latest). Refused with 409
    `undo_outdated` once anything else changed the item's status since, and with
    `focus_cap_reached` when it was on the board and the board has filled up meanwhile.
    """
    team, item = _locked_item(item)
    latest = list(
        FocusEvent.objects.filter(item=item, kind__in=TRANSITIONS).order_by("-at", "-pk")[:2]
    )
    if not latest or latest[0].kind not in CLOSINGS:
        raise _outdated(item, f"“{item.title}” was not just finished or dropped: nothing to undo.")
    if event is not None and latest[0].pk != event.pk:
        raise _outdated(
            item,
            f"“{item.title}” changed after that (it is {item.get_status_display().lower()} "
            "now), so it cannot be undone.",
        )
    undone = latest[0]
    # Where it was before: recorded on new events; read from the event before on old ones.
    was = undone.detail.get("from") or (
        FocusStatus.ACTIVE if len(latest) > 1 and latest[1].active_after else FocusStatus.PARKED
    )
    item.closed_at = None
    item.outcome = ""  # open again; the log keeps the note
    if was == FocusStatus.ACTIVE:
        try:
            _occupy_slot(team, item)
        except RuleViolation as exc:
            raise RuleViolation(
                RuleCode.FOCUS_CAP_REACHED,
                f"“{item.title}” cannot go back on the board: {exc.message}",
                **exc.extra,
            ) from exc
    else:
        item.status = FocusStatus.PARKED
    _save(item, team)
    _record(item, FocusEventKind.UNDONE, actor, undid=undone.pk, undid_kind=undone.kind)
    return item


@transaction.atomic
def focus_item_bring_back(*, item: FocusItem, actor: User | None) -> FocusItem:
    """Bring a dropped topic back as parked (any time later); it keeps its outcome note."""
    team, item = _locked_item(item)
    _require(item, (FocusStatus.DROPPED,), "brought back (only dropped topics are)")
    item.status = FocusStatus.PARKED
    item.closed_at = None
    _save(item, team)
    _record(item, FocusEventKind.BROUGHT_BACK, actor)
    return item


@transaction.atomic
def focus_item_swap(*, item: FocusItem, replace: FocusItem, actor: User | None) -> FocusItem:
    """Atomically park `replace` (active) and put `item` (parked) on the board in its place.

    Both happen or neither does, so a full board never has to pass through "one short"
    or "one over", and nobody else can take the freed slot in between.
    """
    team, item = _locked_item(item)
    replace = FocusItem.objects.select_related("owner").get(pk=replace.pk)
    if replace.team_id != team.pk:
        raise ValidationError({"replace": ["That item is not on this team's board."]})
    if replace.pk == item.pk:
        raise ValidationError({"replace": ["An item cannot be swapped with itself."]})
    _require(item, (FocusStatus.PARKED,), "swapped onto the board")
    _require(replace, (FocusStatus.ACTIVE,), "swapped off the board")
    position = replace.position
    _take_off_board(replace, FocusStatus.PARKED)
    _save(replace, team)
    _record(replace, FocusEventKind.PARKED, actor, swapped_for=item.pk)
    _occupy_slot(team, item)
    item.position = position  # the newcomer takes the old item's place in the order
    _save(item, team)
    _record(item, FocusEventKind.SWAPPED, actor, replaced=replace.pk)
    return item


@transaction.atomic
def focus_item_move(*, item: FocusItem, actor: User | None, position: int) -> FocusItem:
    """Move an active item to `position` (0-based, clamped) in the board order."""
    team, item = _locked_item(item)
    _require(item, (FocusStatus.ACTIVE,), "reordered")
    ordered = list(
        FocusItem.objects.filter(team=team, status=FocusStatus.ACTIVE)
        .select_related("owner")
        .order_by("position", "pk")
    )
    old_index = next(index for index, other in enumerate(ordered) if other.pk == item.pk)
    moving = ordered.pop(old_index)
    position = max(0, min(position, len(ordered)))
    ordered.insert(position, moving)
    changed = []
    for index, other in enumerate(ordered):
        if other.position != index:
            other.position = index
            changed.append(other)
    FocusItem.objects.bulk_update(changed, ["position"])
    notify_wall_changed(team.pk)  # bulk_update sends no signal
    if position != old_index:
        _record(
            moving, FocusEventKind.REORDERED, actor, position_from=old_index, position_to=position
        )
    return moving


def _logged(value: Any) -> Any:
    """How a changed value is kept in the event log (JSON): people by username, milestones
    by id."""
    if isinstance(value, User):
        return value.username
    if isinstance(value, Milestone):
        return value.pk
    return value


@transaction.atomic
def focus_item_edit(
    *,
    item: FocusItem,
    actor: User | None,
    title: str | None = None,
    why: str | None = None,
    owner: User | None = None,
    milestone: Milestone | None = None,
    fields: set[str],
) -> FocusItem:
    """Change the title, why, owner or milestone of an item; records which fields changed."""
    team, item = _locked_item(item)
    values: dict[str, Any] = {
        "title": (title or "").strip(),
        "why": (why or "").strip(),
        "owner": owner,
        "milestone": milestone,
    }
    changed = {}
    for name in fields & values.keys():
        old = getattr(item, name)
        if old != values[name]:
            changed[name] = {"from": _logged(old), "to": _logged(values[name])}
            setattr(item, name, values[name])
    if not changed:
        return item
    item.full_clean(validate_constraints=False)
    if "owner" in changed:
        _check_owner(team, item.owner)
    if "milestone" in changed:
        _check_milestone(team, item.milestone)
    _save(item, team)
    _record(item, FocusEventKind.EDITED, actor, changes=changed)
    return item


# --- Wall screens ---------------------------------------------------------------------------


@transaction.atomic
def kiosk_token_create(*, team: Team, actor: User, label: str) -> tuple[KioskToken, str]:
    """Create a wall-screen token; returns it and the secret, which is shown only once."""
    return KioskToken.issue(team=team, label=label.strip(), created_by=actor)


@transaction.atomic
def kiosk_token_revoke(*, token: KioskToken) -> KioskToken:
    token.revoke()
    return token


@transaction.atomic
def wall_reload_all(*, team: Team) -> WallScreen:
    """Ask every wall screen of the team to reload itself at its next poll."""
    screen, _ = WallScreen.objects.get_or_create(team=team)
    screen.reload_requested_at = timezone.now()
    screen.save(update_fields=["reload_requested_at"])
    return screen


# --- Wall playlists -------------------------------------------------------------------------


@transaction.atomic
def wall_playlists_opt(*, team: Team, opted_in: bool) -> WallScreen:
    """A lead lets playlists show the team's wall, or stops them: a screen that rotates through
    the team drops it at its next turn (the rotation is read at every turn)."""
    screen, _ = WallScreen.objects.get_or_create(team=team)
    screen.in_playlists = opted_in
    screen.save(update_fields=["in_playlists"])
    return screen


def _leads_any(actor: User, teams: list[Team]) -> bool:
    return selectors.leads_playlists(actor).filter(pk__in=[t.pk for t in teams]).exists()


def _check_manages(actor: User, playlist: WallPlaylist) -> None:
    """A playlist spans teams, so no team role covers it: only the people
    `selectors.playlists_managed_by` names change it or its screens."""
    if not selectors.playlists_managed_by(actor).filter(pk=playlist.pk).exists():
        raise PermissionDenied("Only a lead of one of the playlist's teams can change it.")


def _playlist_teams(teams: list[Team], *, playlist: WallPlaylist | None) -> list[Team]:
    """Only the teams `selectors.playlist_team_choices` offers may be put on a playlist."""
    if not teams:
        raise ValidationError("Choose at least one team for the playlist.", code="required")
    allowed = set(
        selectors.playlist_team_choices(playlist)
        .filter(pk__in=[t.pk for t in teams])
        .values_list("pk", flat=True)
    )
    refused = sorted(t.name for t in teams if t.pk not in allowed)
    if refused:
        raise ValidationError(
            f"{', '.join(refused)} did not let playlists show their wall; a lead of the team "
            "can allow it in the team's settings.",
            code="not_opted_in",
        )
    return teams


@transaction.atomic
def wall_playlist_create(
    *, actor: User, name: str, teams: list[Team], seconds_per_team: int
) -> WallPlaylist:
    """A playlist is made by someone who leads at least one of its teams (or staff), from
    teams whose leads opted in."""
    teams = _playlist_teams(list(teams), playlist=None)
    if not _leads_any(actor, teams):
        raise ValidationError(
            "You can make a playlist only with at least one team you lead.", code="not_lead"
        )
    playlist = WallPlaylist(name=name.strip(), seconds_per_team=seconds_per_team, created_by=actor)
    playlist.full_clean()
    playlist.save()
    playlist.teams.set(teams)
    return playlist


@transaction.atomic
def wall_playlist_update(
    *, playlist: WallPlaylist, actor: User, name: str, teams: list[Team], seconds_per_team: int
) -> WallPlaylist:
    """Same rules as creating one: opted-in teams, and the editor still leads one of them."""
    _check_manages(actor, playlist)
    teams = _playlist_teams(list(teams), playlist=playlist)
    if not _leads_any(actor, teams):
        raise ValidationError("Keep at least one team you lead on the playlist.", code="not_lead")
    playlist.name = name.strip()
    playlist.seconds_per_team = seconds_per_team
    playlist.full_clean()
    playlist.save()
    playlist.teams.set(teams)
    return playlist


@transaction.atomic
def wall_playlist_token_create(
    *, playlist: WallPlaylist, actor: User, label: str
) -> tuple[WallPlaylistToken, str]:
    """A screen address for the playlist; returns it and the secret, shown only once."""
    _check_manages(actor, playlist)
    return WallPlaylistToken.issue(playlist=playlist, label=label.strip(), created_by=actor)


@transaction.atomic
def wall_playlist_token_revoke(*, token: WallPlaylistToken, actor: User) -> WallPlaylistToken:
    _check_manages(actor, token.playlist)
    token.revoke()
    return token

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.fields import ShownCharField, ShownTextField, length_limit
from core.history import AppendOnlyModel
from core.limits import LABEL_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH
from core.tokens import HashedToken
from teams.models import FOCUS_CAP_MAX, Team, display_name

TITLE_MAX_LENGTH = 80
# What the team learned is a sentence or two, like the why.
OUTCOME_MAX_LENGTH = SHORT_TEXT_MAX_LENGTH


class FocusStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PARKED = "parked", "Parked"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


# On the board or waiting for a place on it.
OPEN = (FocusStatus.ACTIVE, FocusStatus.PARKED)
# Finished or dropped: off the board for good (until brought back), with an outcome to note.
CLOSED = (FocusStatus.DONE, FocusStatus.DROPPED)


class FocusItem(models.Model):
    """A topic the team focuses on. At most `team.focus_cap` are active at once.

    The service layer enforces the team's cap under a lock on the team row. The database
    holds a backstop it can check on its own: every active item occupies a `slot` from 1
    to 5 (the largest cap), unique per team, so even a write that bypassed the services
    could never put a sixth item on a board.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="focus_items")
    title = ShownCharField(max_length=TITLE_MAX_LENGTH)
    why = ShownTextField(
        max_length=SHORT_TEXT_MAX_LENGTH,
        blank=True,
        help_text="Why this matters now, in a sentence or two.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_focus_items",
    )
    # Why the topic matters: the milestone it moves towards. Milestones are never deleted.
    milestone = models.ForeignKey(
        "milestones.Milestone",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="focus_items",
    )
    status = models.CharField(
        max_length=10, choices=FocusStatus.choices, default=FocusStatus.ACTIVE
    )
    slot = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    position = models.PositiveIntegerField(default=0, help_text="Order among active items.")
    activated_at = models.DateTimeField(null=True, blank=True)
    # What the team learned, written when it finished or dropped the topic (optional). The
    # event log keeps every version; this is the latest, shown in the Done list.
    outcome = ShownTextField(max_length=OUTCOME_MAX_LENGTH, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["team", "position", "pk"]
        indexes = [models.Index(fields=["team", "status", "position"])]
        constraints = [
            length_limit("why", SHORT_TEXT_MAX_LENGTH),
            length_limit("outcome", OUTCOME_MAX_LENGTH),
            models.CheckConstraint(
                condition=Q(status__in=FocusStatus.values), name="focusitem_status_valid"
            ),
            models.CheckConstraint(
                # slot__isnull=False matters: a CHECK whose result is NULL passes.
                condition=(
                    Q(
                        status=FocusStatus.ACTIVE,
                        slot__isnull=False,
                        slot__gte=1,
                        slot__lte=FOCUS_CAP_MAX,
                    )
                    | (~Q(status=FocusStatus.ACTIVE) & Q(slot__isnull=True))
                ),
                name="focusitem_active_items_hold_a_slot",
                violation_error_message="An active focus item needs a free slot on the board.",
            ),
            models.UniqueConstraint(
                fields=["team", "slot"],
                condition=Q(status=FocusStatus.ACTIVE),
                name="focusitem_one_active_item_per_slot",
                violation_error_message="The board is full.",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="focusitem_title_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_name(self) -> str:
        if self.owner is None:
            return ""
        return display_name(self.owner)

    @property
    def is_active(self) -> bool:
        return self.status == FocusStatus.ACTIVE

    def days_on_board(self, today: Any) -> int | None:
        """Day N of the current stretch: calendar days (in the team's time zone) since it last
        became active, the day it went up being day 1; None when it is not active. Parking
        ends a stretch; the total across stretches is `selectors.board_days_total`."""
        if not self.is_active or self.activated_at is None:
            return None
        started = timezone.localtime(self.activated_at, today.tzinfo).date()
        return (today.date() - started).days + 1


class FocusEventKind(models.TextChoices):
    ADDED = "added", "Added"
    ACTIVATED = "activated", "Activated"
    PARKED = "parked", "Parked"
    FINISHED = "finished", "Finished"
    DROPPED = "dropped", "Dropped"
    REORDERED = "reordered", "Reordered"
    EDITED = "edited", "Edited"
    SWAPPED = "swapped", "Swapped"
    UNDONE = "undone", "Undone"  # a finish or drop taken back; detail["undid"] is its event
    BROUGHT_BACK = "brought_back", "Brought back"  # a dropped topic parked again
    OUTCOME = "outcome", "Outcome noted"  # detail["outcome"]: what the team learned


# The events that change an item's status; an undo is refused once a later one exists.
TRANSITIONS = (
    FocusEventKind.ADDED,
    FocusEventKind.ACTIVATED,
    FocusEventKind.PARKED,
    FocusEventKind.FINISHED,
    FocusEventKind.DROPPED,
    FocusEventKind.SWAPPED,
    FocusEventKind.UNDONE,
    FocusEventKind.BROUGHT_BACK,
)
# The events that close an item (to CLOSED); the latest one can be undone.
CLOSINGS = (FocusEventKind.FINISHED, FocusEventKind.DROPPED)


class FocusEvent(AppendOnlyModel):
    """The append-only log of what happened on the board: who did what, when."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="focus_events")
    item = models.ForeignKey(FocusItem, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=12, choices=FocusEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # Whether the item is on the board (active) right after this event; the timeline is
    # built from these without replaying transitions.
    active_after = models.BooleanField()
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["team", "at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FocusEventKind.values), name="focusevent_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.item_id} at {self.at:%Y-%m-%d %H:%M}"


class KioskToken(HashedToken):
    """Lets one wall screen show one team's board without logging in, read-only: the token
    grants that and nothing else."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="kiosk_tokens")
    label = ShownCharField(
        max_length=LABEL_MAX_LENGTH, help_text="Where the screen is, e.g. 'Team room'."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["team", "-created_at"]

    def __str__(self) -> str:
        return f"{self.label} ({self.team})"


class WallScreen(models.Model):
    """Per-team wall screen state: when a lead last asked every screen to reload, and whether
    the team's leads let wall playlists (screens shared by several teams) show its wall."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="wall_screen")
    reload_requested_at = models.DateTimeField(null=True, blank=True)
    in_playlists = models.BooleanField(
        default=False, help_text="Playlists of the organisation's screens may show this wall."
    )

    def __str__(self) -> str:
        return f"Wall screen of {self.team}"


PLAYLIST_SECONDS_MIN, PLAYLIST_SECONDS_MAX, PLAYLIST_SECONDS_DEFAULT = 10, 600, 30


class WallPlaylist(models.Model):
    """A room's screen that rotates between several teams' walls. It only ever shows the teams
    whose leads opted in (WallScreen.in_playlists), checked at every turn."""

    name = ShownCharField(
        max_length=LABEL_MAX_LENGTH, help_text="Where the screen is, e.g. 'Kitchen'."
    )
    teams = models.ManyToManyField(Team, related_name="wall_playlists")
    seconds_per_team = models.PositiveSmallIntegerField(
        default=PLAYLIST_SECONDS_DEFAULT,
        validators=[
            MinValueValidator(PLAYLIST_SECONDS_MIN),
            MaxValueValidator(PLAYLIST_SECONDS_MAX),
        ],
        help_text=f"How long each team's wall stays up "
        f"({PLAYLIST_SECONDS_MIN}-{PLAYLIST_SECONDS_MAX} seconds).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seconds_per_team__gte=PLAYLIST_SECONDS_MIN)
                & Q(seconds_per_team__lte=PLAYLIST_SECONDS_MAX),
                name="wallplaylist_seconds_between_10_and_600",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WallPlaylistToken(HashedToken):
    """Lets one screen show a playlist without logging in, read-only (same rules as a team's
    wall-screen token: hashed, shown once, revocable)."""

    playlist = models.ForeignKey(WallPlaylist, on_delete=models.CASCADE, related_name="tokens")
    label = ShownCharField(
        max_length=LABEL_MAX_LENGTH, help_text="Which screen, e.g. 'Kitchen TV'."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["playlist", "-created_at"]

    def __str__(self) -> str:
        return f"{self.label} ({self.playlist})"

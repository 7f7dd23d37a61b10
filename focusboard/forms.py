from __future__ import annotations

from django import forms
from django.contrib.auth.models import User

from core.forms import ModelMultipleChoiceField
from core.limits import LABEL_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH
from milestones.models import Milestone, MilestoneStatus
from teams.models import Membership, Role, Team, display_name

from . import selectors
from .models import (
    OUTCOME_MAX_LENGTH,
    PLAYLIST_SECONDS_DEFAULT,
    PLAYLIST_SECONDS_MAX,
    PLAYLIST_SECONDS_MIN,
    TITLE_MAX_LENGTH,
    WallPlaylist,
)


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        return display_name(obj)


def _owner_field(team: Team) -> OwnerChoiceField:
    makers = Membership.objects.filter(team=team, role__in=[Role.LEAD, Role.MEMBER])
    return OwnerChoiceField(
        queryset=User.objects.filter(pk__in=makers.values("user_id")).order_by("username"),
        required=False,
        empty_label="— nobody yet —",
    )


class MilestoneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Milestone) -> str:  # type: ignore[override]
        return f"{obj.title} ({obj.soft_date})"


def _milestone_field(team: Team) -> MilestoneChoiceField:
    return MilestoneChoiceField(
        queryset=Milestone.objects.filter(
            team=team, status__in=(MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS)
        ).order_by("target_date", "pk"),
        required=False,
        empty_label="— no milestone —",
        help_text="The milestone this topic moves towards.",
    )


class FocusItemForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX_LENGTH)
    why = forms.CharField(
        max_length=SHORT_TEXT_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, team: Team, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _owner_field(team)
        self.fields["milestone"] = _milestone_field(team)


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label="What did we learn?", max_length=OUTCOME_MAX_LENGTH, required=False
    )


class UndoForm(forms.Form):
    """Which change of a topic's history to undo; none: its latest."""

    event = forms.IntegerField(required=False, min_value=1)


class SwapForm(forms.Form):
    item = forms.IntegerField()
    replace = forms.IntegerField()


# The answer to an empty or too long name for a wall or playlist screen.
SCREEN_NAME_REFUSED = f"Give the screen a name of up to {LABEL_MAX_LENGTH} characters."


class KioskTokenForm(forms.Form):
    label = forms.CharField(max_length=LABEL_MAX_LENGTH, initial="Team room")


class WallPlaylistForm(forms.Form):
    name = forms.CharField(max_length=LABEL_MAX_LENGTH, initial="Kitchen")
    teams = ModelMultipleChoiceField(
        queryset=Team.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Only teams whose leads let playlists show their wall are listed.",
    )
    seconds_per_team = forms.IntegerField(
        min_value=PLAYLIST_SECONDS_MIN,
        max_value=PLAYLIST_SECONDS_MAX,
        initial=PLAYLIST_SECONDS_DEFAULT,
        label="Seconds per team",
        help_text=WallPlaylist._meta.get_field("seconds_per_team").help_text,
    )

    def __init__(self, *args, playlist: WallPlaylist | None = None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        teams_field = self.fields["teams"]
        assert isinstance(teams_field, ModelMultipleChoiceField)
        teams_field.queryset = selectors.playlist_team_choices(playlist)

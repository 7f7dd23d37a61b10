from __future__ import annotations

from django import forms
from django.contrib.auth.models import User

from milestones.models import Milestone, MilestoneStatus
from teams.models import Membership, Role, Team, display_name

from .models import TITLE_MAX_LENGTH


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
    why = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, team: Team, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _owner_field(team)
        self.fields["milestone"] = _milestone_field(team)


class SwapForm(forms.Form):
    item = forms.IntegerField()
    replace = forms.IntegerField()


class KioskTokenForm(forms.Form):
    label = forms.CharField(max_length=60, initial="Team room")

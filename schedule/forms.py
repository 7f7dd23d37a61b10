from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from core.limits import TITLE_MAX_LENGTH, max_length_of
from teams.models import Team

from .ical.read import MAX_ICS_SIZE
from .models import POLICY_FIELDS, WEEKDAY_NAMES, BusySource, MakerPolicy
from .weeks import planning_years_sentence, within_planning_years

DURATIONS = [
    (15, "15 min"),
    (30, "30 min"),
    (45, "45 min"),
    (60, "1 h"),
    (90, "1 h 30"),
    (120, "2 h"),
]


class MemberChoices(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class ProposeForm(forms.Form):
    """What the person wants to meet about; the engine answers with ranked slots."""

    title = forms.CharField(max_length=TITLE_MAX_LENGTH)
    duration_minutes = forms.TypedChoiceField(
        label="Duration", choices=DURATIONS, coerce=int, initial=30
    )
    attendees = MemberChoices(label="Required")
    optional_attendees = MemberChoices(label="Optional", required=False)
    earliest = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    latest = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), help_text="Included.")
    allow_maker_time = forms.BooleanField(
        required=False, label="Allow maker time (the meeting will be flagged)"
    )

    def __init__(
        self, *args: Any, people: Sequence[tuple[str, str]], today: date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name in ("attendees", "optional_attendees"):
            cast(forms.ChoiceField, self.fields[name]).choices = people
        self.fields["earliest"].initial = today
        self.fields["latest"].initial = today + timedelta(days=7)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        earliest, latest = data.get("earliest"), data.get("latest")
        for name, day in (("earliest", earliest), ("latest", latest)):
            if day and not within_planning_years(day):
                self.add_error(name, planning_years_sentence())
                return data
        if earliest and latest and latest < earliest:
            self.add_error("latest", "The latest date must not be before the earliest.")
        both = set(data.get("attendees") or []) & set(data.get("optional_attendees") or [])
        if both:
            self.add_error(
                "optional_attendees",
                f"{', '.join(sorted(both))} cannot be both required and optional.",
            )
        return data


class _PlannedTimes(forms.Form):
    """Start and end of a meeting, in the years a team can plan in."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("start", "end"):
            value = data.get(name)
            if value is not None and not within_planning_years(value):
                self.add_error(name, planning_years_sentence())
        return data


class BookForm(_PlannedTimes):
    """A proposal (or any explicit time) to book; every field comes from the proposal."""

    title = forms.CharField(max_length=TITLE_MAX_LENGTH)
    start = forms.DateTimeField()
    end = forms.DateTimeField()
    attendees = forms.MultipleChoiceField()
    optional_attendees = forms.MultipleChoiceField(required=False)
    override_maker_time = forms.BooleanField(required=False)

    def __init__(self, *args: Any, people: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("attendees", "optional_attendees"):
            cast(forms.ChoiceField, self.fields[name]).choices = people


class MoveForm(_PlannedTimes):
    start = forms.DateTimeField()
    end = forms.DateTimeField()


class MakerPolicyForm(forms.ModelForm):
    meeting_free_weekdays = forms.TypedMultipleChoiceField(
        choices=list(enumerate(WEEKDAY_NAMES[:5])),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Meeting-free days",
        help_text="All maker time: no meeting is proposed on these days.",
    )

    class Meta:
        model = MakerPolicy
        fields = list(POLICY_FIELDS)
        widgets = {
            "workday_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "workday_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "lunch_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "lunch_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }


class BusyUploadForm(forms.Form):
    file = forms.FileField(
        label="Calendar file (.ics)",
        help_text=f"An export from Google, Outlook or Apple Calendar, up to {MAX_ICS_SIZE}. "
        "A new upload replaces the previous one.",
    )


class BusyUrlForm(forms.Form):
    url = forms.CharField(
        label="Calendar address",
        max_length=max_length_of(BusySource, "url"),
        help_text="An https:// or webcal:// address of an .ics feed (e.g. Google's secret "
        "address). Only you see it.",
    )

    def clean_url(self) -> str:
        value: str = self.cleaned_data["url"].strip()
        if not value:
            raise ValidationError("Give the calendar's address.")
        return value


class FeedCreateForm(forms.Form):
    """Which calendar to subscribe to: "personal", or "team:<slug>" for one of my teams."""

    calendar = forms.ChoiceField(label="Calendar")
    include_maker_blocks = forms.BooleanField(
        required=False,
        label="Add my maker time as busy “Maker time” events (my meetings only)",
    )

    def __init__(self, *args: Any, teams: Sequence[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.teams = {team.slug: team for team in teams}
        choices = [("personal", "My meetings (every team I am in)")]
        choices += [(f"team:{team.slug}", f"{team.name}: the team's calendar") for team in teams]
        cast(forms.ChoiceField, self.fields["calendar"]).choices = choices

    def scope_and_team(self) -> tuple[str, Team | None]:
        value = self.cleaned_data["calendar"]
        if value == "personal":
            return "personal", None
        return "team", self.teams[value.split(":", 1)[1]]

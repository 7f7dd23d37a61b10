from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User

from core.forms import ModelMultipleChoiceField
from core.limits import LABEL_MAX_LENGTH, TITLE_MAX_LENGTH, max_length_of
from core.times import validate_planning_years
from teams.models import Membership, Team, display_name

from .models import (
    CharterChange,
    Check,
    Comparator,
    DoneCriterion,
    Milestone,
    MilestoneSlip,
    NonNegotiable,
    Outcome,
    Precision,
    QuarterlyReview,
    TargetRevision,
    Vision,
)
from .templatetags.measures import measure

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
REASON_HELP = "Why it changes. The direction should not change lightly: this stays in the history."


class VisionForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX_LENGTH)
    problem = forms.CharField(
        max_length=max_length_of(Vision, "problem"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="An important problem the team can solve in about nine months.",
    )
    starts_on = forms.DateField(validators=[validate_planning_years], widget=DATE)
    ends_on = forms.DateField(
        validators=[validate_planning_years],
        widget=DATE,
        required=False,
        help_text="Leave empty for nine months after the start.",
    )


class VisionEditForm(VisionForm):
    reason = forms.CharField(
        max_length=max_length_of(CharterChange, "reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Needed to change the problem or the dates (a re-charter). " + REASON_HELP,
    )


class AbandonForm(forms.Form):
    # Not required here: the service's sentence says why a reason is needed.
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=max_length_of(CharterChange, "reason"),
    )


class CriterionForm(forms.Form):
    description = forms.CharField(
        max_length=max_length_of(DoneCriterion, "description"), required=False
    )
    metric = forms.CharField(
        max_length=max_length_of(DoneCriterion, "metric"),
        help_text="What is measured, e.g. NDCG@10.",
    )
    comparator = forms.ChoiceField(choices=Comparator.choices)
    target_value = forms.FloatField()
    unit = forms.CharField(max_length=max_length_of(DoneCriterion, "unit"), required=False)
    current_value = forms.FloatField(required=False)


class CriterionValueForm(forms.Form):
    current_value = forms.FloatField(label="New value")


class CriteriaTokenForm(forms.Form):
    label = forms.CharField(max_length=LABEL_MAX_LENGTH, initial="nightly eval", label="Pipeline")


class TargetForm(forms.Form):
    text = forms.CharField(
        max_length=max_length_of(TargetRevision, "text"),
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Target",
    )
    reason = forms.CharField(
        max_length=max_length_of(TargetRevision, "reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Needed to change an existing target. " + REASON_HELP,
    )


class PeopleField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return display_name(obj)


YES_NO = [("yes", "Yes, still the right problem"), ("no", "No, it is not")]


class ReviewForm(forms.Form):
    """The quarterly review, in the order the meeting goes: how the target went, where the
    criteria stand, whether this is still the right problem, the next target, and who was
    there. Each criterion gets a `criterion_<id>` field, filled with its current value."""

    held_on = forms.DateField(validators=[validate_planning_years], widget=DATE, label="Held on")
    outcome = forms.ChoiceField(
        choices=Outcome.choices, widget=forms.RadioSelect, label="The target was"
    )
    evidence = forms.CharField(
        max_length=max_length_of(QuarterlyReview, "evidence"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Numbers, links, demos: what shows the outcome.",
    )
    still_right_problem = forms.ChoiceField(
        choices=YES_NO, widget=forms.RadioSelect, label="Is this still the right problem?"
    )
    still_right_note = forms.CharField(
        max_length=max_length_of(QuarterlyReview, "still_right_note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Why",
    )
    next_target_text = forms.CharField(
        max_length=max_length_of(TargetRevision, "text"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Next period's target",
    )
    next_target_reason = forms.CharField(
        max_length=max_length_of(TargetRevision, "reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Why the target changes",
        help_text="Needed only when you change a target that was already set.",
    )
    attendees = PeopleField(
        queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )
    notes = forms.CharField(
        max_length=max_length_of(QuarterlyReview, "notes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args: Any, team: Team, criteria: list[DoneCriterion], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.fields["attendees"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=Membership.objects.filter(team=team).values("user_id")
        ).order_by("username")
        for criterion in criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.FloatField(
                required=False,
                label=criterion.metric,
                help_text=f"Target: {criterion.comparator} {criterion.target_value:g} "
                f"{criterion.unit}".strip(),
                initial=measure(criterion.current_value),
            )

    def criterion_fields(self) -> list[forms.BoundField]:
        return [self[f"criterion_{c.pk}"] for c in self.criteria]

    def criteria_values(self) -> dict[int, float | None]:
        return {c.pk: self.cleaned_data.get(f"criterion_{c.pk}") for c in self.criteria}


class MilestoneForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX_LENGTH)
    target_date = forms.DateField(
        validators=[validate_planning_years], widget=DATE, help_text="An aim, not a deadline."
    )
    precision = forms.ChoiceField(choices=Precision.choices, initial=Precision.WEEK)
    description = forms.CharField(
        max_length=max_length_of(Milestone, "description"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class MilestoneMoveForm(forms.Form):
    target_date = forms.DateField(validators=[validate_planning_years], widget=DATE)
    precision = forms.ChoiceField(choices=Precision.choices)
    reason = forms.CharField(
        max_length=max_length_of(MilestoneSlip, "reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why it moves.",
    )
    basis = forms.CharField(
        max_length=max_length_of(MilestoneSlip, "basis"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Basis of the new estimate",
        help_text="What was cut or learned, not just a date.",
    )


class CheckForm(forms.Form):
    evidence = forms.CharField(
        required=False,
        max_length=max_length_of(Check, "evidence_note"),
        help_text="An http(s) link or a note.",
    )


class NonNegotiableForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX_LENGTH)
    description = forms.CharField(
        max_length=max_length_of(NonNegotiable, "description"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    requires_evidence = forms.BooleanField(required=False)

from __future__ import annotations

from typing import Any

from django import forms

from core.limits import max_length_of

from . import neutral
from .models import (
    EDITABLE_FIELDS,
    AlertSettings,
    ArmKind,
    IngestToken,
    NeutralTest,
    Tripwire,
    TripwireEvent,
)


class TripwireForm(forms.ModelForm):
    class Meta:
        model = Tripwire
        fields = list(EDITABLE_FIELDS)


class TripwireEditForm(TripwireForm):
    reason = forms.CharField(
        max_length=max_length_of(TripwireEvent, "reason"),
        help_text="Why it changes (kept in the log).",
    )


class MuteForm(forms.Form):
    hours = forms.IntegerField(min_value=1, max_value=24 * 90, initial=24, label="Mute for (hours)")
    reason = forms.CharField(max_length=max_length_of(Tripwire, "mute_reason"))


class IngestTokenForm(forms.Form):
    label = forms.CharField(
        max_length=max_length_of(IngestToken, "label"),
        required=False,
        help_text="e.g. the pipeline's name.",
    )


class AlertSettingsForm(forms.ModelForm):
    webhook_url = forms.URLField(
        required=False,
        assume_scheme="https",
        max_length=max_length_of(AlertSettings, "webhook_url"),
        help_text=AlertSettings._meta.get_field("webhook_url").help_text,
    )

    class Meta:
        model = AlertSettings
        fields = ["webhook_url"]


class NeutralTestForm(forms.Form):
    name = forms.CharField(max_length=max_length_of(NeutralTest, "name"))
    neutralised = forms.CharField(
        max_length=max_length_of(NeutralTest, "neutralised"),
        label="What was neutralised",
        help_text="e.g. both arms get the ranker v7.",
    )
    kind = forms.ChoiceField(choices=ArmKind.choices, initial=ArmKind.PROPORTIONS)
    a_successes = forms.IntegerField(min_value=0, required=False, label="A successes")
    a_trials = forms.IntegerField(min_value=1, required=False, label="A trials")
    b_successes = forms.IntegerField(min_value=0, required=False, label="B successes")
    b_trials = forms.IntegerField(min_value=1, required=False, label="B trials")
    a_mean = forms.FloatField(required=False, label="A mean")
    a_sd = forms.FloatField(min_value=0, required=False, label="A sd")
    a_n = forms.IntegerField(min_value=2, required=False, label="A n")
    b_mean = forms.FloatField(required=False, label="B mean")
    b_sd = forms.FloatField(min_value=0, required=False, label="B sd")
    b_n = forms.IntegerField(min_value=2, required=False, label="B n")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if data.get("kind") == ArmKind.PROPORTIONS:
            needed = ["a_successes", "a_trials", "b_successes", "b_trials"]
        else:
            needed = ["a_mean", "a_sd", "a_n", "b_mean", "b_sd", "b_n"]
        missing = [self.fields[n].label for n in needed if data.get(n) is None]
        if missing:
            raise forms.ValidationError(f"Fill in {', '.join(str(m) for m in missing)}.")
        return data

    def arms(self) -> tuple[neutral.Arm, neutral.Arm]:
        d = self.cleaned_data
        if d["kind"] == ArmKind.PROPORTIONS:
            return (
                neutral.Proportion(d["a_successes"], d["a_trials"]),
                neutral.Proportion(d["b_successes"], d["b_trials"]),
            )
        return neutral.Mean(d["a_mean"], d["a_sd"], d["a_n"]), neutral.Mean(
            d["b_mean"], d["b_sd"], d["b_n"]
        )


class FindingForm(forms.Form):
    finding = forms.CharField(
        max_length=max_length_of(NeutralTest, "finding"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

from __future__ import annotations

from django import forms

from .models import Profile, Role, Team


class TeamCreateForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "slug", "timezone", "focus_cap"]
        help_texts = {"slug": "Letters, digits and dashes; it appears in the team's URLs."}


class TeamSettingsForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "timezone", "focus_cap"]


class MemberAddForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["timezone", "workday_start", "workday_end", "lunch_start", "lunch_end"]
        help_texts = {
            "timezone": "Leave empty to use each team's time zone.",
        }
        widgets = {
            "workday_start": forms.TimeInput(attrs={"type": "time"}),
            "workday_end": forms.TimeInput(attrs={"type": "time"}),
            "lunch_start": forms.TimeInput(attrs={"type": "time"}),
            "lunch_end": forms.TimeInput(attrs={"type": "time"}),
        }

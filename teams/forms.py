from __future__ import annotations

from django import forms
from django.contrib.auth.models import User

from core.limits import NAME_MAX_LENGTH, max_length_of

from .models import Profile, Role, Team
from .timezones import timezone_names


class TimezoneInput(forms.TextInput):
    """A text input that suggests IANA zone names as you type (the model validates)."""

    template_name = "widgets/timezone.html"

    def get_context(self, name, value, attrs):  # type: ignore[no-untyped-def]
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["list"] = f"{context['widget']['attrs']['id']}-zones"
        context["widget"]["timezones"] = timezone_names()
        return context


class TeamCreateForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "slug", "timezone", "focus_cap"]
        help_texts = {"slug": "Letters, digits and dashes; it appears in the team's URLs."}
        widgets = {"timezone": TimezoneInput(attrs={"autocomplete": "off"})}


class TeamSettingsForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "timezone", "focus_cap"]
        widgets = {"timezone": TimezoneInput(attrs={"autocomplete": "off"})}


class MemberAddForm(forms.Form):
    username = forms.CharField(max_length=max_length_of(User, "username"))
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = [
            "timezone",
            "workday_start",
            "workday_end",
            "lunch_start",
            "lunch_end",
            "receive_invitations",
        ]
        help_texts = {
            "timezone": "Leave empty to use each team's time zone.",
        }
        widgets = {
            "timezone": TimezoneInput(attrs={"autocomplete": "off"}),
            "workday_start": forms.TimeInput(attrs={"type": "time"}),
            "workday_end": forms.TimeInput(attrs={"type": "time"}),
            "lunch_start": forms.TimeInput(attrs={"type": "time"}),
            "lunch_end": forms.TimeInput(attrs={"type": "time"}),
        }


class InvitationForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)
    email = forms.EmailField(
        required=False,
        help_text="Leave empty for a link to share yourself.",
    )


class SignUpForm(forms.Form):
    """A new person's account, created through an invitation."""

    # Split into first and last name at the first space: the whole fits either.
    name = forms.CharField(
        max_length=max_length_of(User, "first_name"),
        help_text="How colleagues see you, e.g. Ada Lovelace.",
    )
    username = forms.CharField(
        max_length=max_length_of(User, "username"), help_text="What you type to sign in."
    )
    email = forms.EmailField(required=False, help_text="For resetting your password.")
    password = forms.CharField(widget=forms.PasswordInput, min_length=1)


class NameForm(forms.Form):
    """How colleagues see a person: their name on cards, lists and meetings."""

    first_name = forms.CharField(
        max_length=max_length_of(User, "first_name"), required=False, label="First name"
    )
    last_name = forms.CharField(
        max_length=max_length_of(User, "last_name"), required=False, label="Last name"
    )


class ApiTokenForm(forms.Form):
    """A new API key: what uses it, and when it stops working."""

    name = forms.CharField(
        max_length=NAME_MAX_LENGTH, label="Name", help_text="What uses it, e.g. “laptop”, “CI”."
    )
    expires = forms.ChoiceField(
        label="Expires",
        choices=[
            ("", "Never (until revoked)"),
            ("7", "In 7 days"),
            ("30", "In 30 days"),
            ("90", "In 90 days"),
            ("365", "In a year"),
        ],
        initial="90",
        required=False,
    )

    def clean_expires(self) -> int | None:
        """In how many days the key stops working; None: until revoked."""
        chosen: str = self.cleaned_data["expires"]
        return int(chosen) if chosen else None

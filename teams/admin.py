"""Admin for teams. Memberships change through the same services as the settings page,
so the admin cannot remove or demote a team's last lead, nor lower the focus cap below
the number of active items."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from core.rules import RuleViolation

from . import services
from .models import Membership, Profile, Role, Team


class MembershipInline(admin.TabularInline):
    """Shown for reference; memberships are edited on their own admin page."""

    model = Membership
    extra = 0
    can_delete = False
    readonly_fields = ["user", "role"]
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "focus_cap", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    # The cap can only go down through the service, which refuses to go below the active
    # count; the admin shows it but does not bypass that rule.
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["focus_cap"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a team holds its whole history; deleting it would cascade through it


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["team", "user", "role"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk and cleaned.get("role") not in (None, Role.LEAD):
            try:
                services.ensure_another_lead(self.instance.team, self.instance)
            except RuleViolation as exc:
                raise ValidationError(exc.message) from exc
        return cleaned


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipAdminForm
    list_display = ["team", "user", "role", "created_at"]
    list_filter = ["role", "team"]
    search_fields = ["team__name", "user__username"]
    autocomplete_fields = ["user", "team"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["team", "user"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        if change:
            services.membership_change_role(
                team=obj.team, username=obj.user.username, role=obj.role
            )
        else:
            services.membership_add(team=obj.team, username=obj.user.username, role=obj.role)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None:
            try:
                services.ensure_another_lead(obj.team, obj)
            except RuleViolation:
                return False  # the team's only lead: make someone else lead first
        return super().has_delete_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        services.membership_remove(team=obj.team, username=obj.user.username)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset.select_related("team", "user"):
            try:
                services.membership_remove(team=membership.team, username=membership.user.username)
            except RuleViolation as exc:
                self.message_user(request, exc.message, messages.ERROR)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "timezone", "workday_start", "workday_end", "lunch_start", "lunch_end"]
    search_fields = ["user__username"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    """People are deactivated (untick *Active*), never deleted: a delete would take their
    meeting attendance and their place in quarterly reviews out of the team's history."""

    actions = None

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

from django.contrib import admin

from .models import Membership, Profile, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "focus_cap", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    # The cap can only go down through the service, which refuses to go below the active
    # count; the admin shows it but does not bypass that rule.
    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return ["focus_cap"] if obj is not None else []


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["team", "user", "role", "created_at"]
    list_filter = ["role", "team"]
    search_fields = ["team__name", "user__username"]
    autocomplete_fields = ["user", "team"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "timezone", "workday_start", "workday_end", "lunch_start", "lunch_end"]
    search_fields = ["user__username"]

"""Admin for the vision. It cannot bypass the rules: a vision, its criteria and targets change
only through the services (on the pages or through the API), where the one-active-vision rule,
reasons and history live. History (charter changes, criterion values, target revisions,
reviews and their snapshots) is read-only here, as everywhere."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    CharterChange,
    Check,
    CriteriaToken,
    CriterionValue,
    DoneCriterion,
    Milestone,
    MilestoneSlip,
    NonNegotiable,
    QuarterlyReview,
    Target,
    TargetRevision,
    Vision,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CriterionInline(admin.TabularInline):
    model = DoneCriterion
    extra = 0
    fields = ["metric", "comparator", "target_value", "unit", "current_value", "updated_at"]
    readonly_fields = ["metric", "comparator", "target_value", "unit", "current_value"]
    readonly_fields += ["updated_at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ["period", "text", "updated_at"]
    readonly_fields = ["period", "text", "updated_at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Vision)
class VisionAdmin(ReadOnlyAdmin):
    list_display = ["title", "team", "status", "starts_on", "ends_on"]
    list_filter = ["status", "team"]
    search_fields = ["title", "problem", "team__name"]
    inlines = [CriterionInline, TargetInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Viewing is allowed (the inlines show what it holds); saving is not.
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True


@admin.register(CharterChange)
class CharterChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "vision", "kind", "author", "reason"]
    list_filter = ["kind"]


@admin.register(CriterionValue)
class CriterionValueAdmin(ReadOnlyAdmin):
    list_display = ["at", "criterion", "old_value", "new_value", "author", "token"]


@admin.register(TargetRevision)
class TargetRevisionAdmin(ReadOnlyAdmin):
    list_display = ["at", "target", "author", "reason"]
    search_fields = ["text", "reason"]


@admin.register(QuarterlyReview)
class QuarterlyReviewAdmin(ReadOnlyAdmin):
    list_display = ["held_on", "vision", "period", "outcome", "still_right_problem"]
    list_filter = ["outcome"]


@admin.register(CriteriaToken)
class CriteriaTokenAdmin(admin.ModelAdmin):
    list_display = ["label", "vision", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["vision", "label", "created_by", "token_hash", "created_at"]
    readonly_fields += ["last_used_at", "revoked_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # issued through the API, where the secret is shown once

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoked, never deleted: the values it posted name it


class CheckInline(admin.TabularInline):
    model = Check
    extra = 0
    fields = readonly_fields = ("non_negotiable", "version", "checked_by", "checked_at")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SlipInline(admin.TabularInline):
    model = MilestoneSlip
    extra = 0
    fields = readonly_fields = ("old_date", "new_date", "reason", "basis", "author", "at")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    """Read-only: completion goes through milestone_complete and its checklist, whoever
    asks; there is no admin action that could mark a milestone done."""

    list_display = ["title", "team", "target_date", "precision", "status"]
    list_filter = ["status", "precision"]
    search_fields = ["title"]
    inlines = [CheckInline, SlipInline]
    actions = None


@admin.register(NonNegotiable)
class NonNegotiableAdmin(ReadOnlyAdmin):
    list_display = ["title", "team", "version", "requires_evidence", "retired_at"]
    actions = None

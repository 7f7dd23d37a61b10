from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import NeutralTest, Observation, Tripwire, TripwireEvent


@admin.register(Tripwire)
class TripwireAdmin(admin.ModelAdmin):
    """Read-only here: edits go through the tripwires page so they land in the log."""

    list_display = ["name", "team", "status", "last_observation_at", "observation_count"]
    list_filter = ["status", "team"]
    search_fields = ["name", "metric"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # retired on its page, never deleted: its observations are history


class AppendOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Observation)
class ObservationAdmin(AppendOnlyAdmin):
    list_display = ["tripwire", "at", "production", "baseline", "key"]
    list_select_related = ["tripwire"]
    raw_id_fields = ["tripwire"]


@admin.register(TripwireEvent)
class TripwireEventAdmin(AppendOnlyAdmin):
    list_display = ["tripwire", "kind", "at", "actor", "reason"]
    list_select_related = ["tripwire", "actor"]


@admin.register(NeutralTest)
class NeutralTestAdmin(AppendOnlyAdmin):
    list_display = ["name", "team", "verdict", "p_value", "created_at"]
    list_select_related = ["team"]

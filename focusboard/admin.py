"""Admin for the focus board. It cannot bypass the board's rules: items are added and
moved between states only on the board or through the API (the cap lives in the
services); the admin may correct a title, why or owner, through the same service, which
logs the change. Events are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from . import services
from .models import FocusEvent, FocusItem, KioskToken


@admin.register(FocusItem)
class FocusItemAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "status", "owner", "position", "activated_at"]
    list_filter = ["status", "team"]
    search_fields = ["title", "why", "team__name"]
    fields = [
        "team",
        "title",
        "why",
        "owner",
        "status",
        "slot",
        "position",
        "activated_at",
        "closed_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [
        "team",
        "status",
        "slot",
        "position",
        "activated_at",
        "closed_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    autocomplete_fields = ["owner"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: FocusItem, form: Any, change: bool) -> None:
        services.focus_item_edit(
            item=obj,
            actor=request.user,  # type: ignore[arg-type]
            title=form.cleaned_data["title"],
            why=form.cleaned_data["why"],
            owner=form.cleaned_data["owner"],
            fields=set(form.changed_data) & {"title", "why", "owner"},
        )


@admin.register(FocusEvent)
class FocusEventAdmin(admin.ModelAdmin):
    list_display = ["at", "team", "kind", "item", "actor"]
    list_filter = ["kind", "team"]
    search_fields = ["item__title"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(KioskToken)
class KioskTokenAdmin(admin.ModelAdmin):
    list_display = ["label", "team", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["team"]
    readonly_fields = [
        "team",
        "token_hash",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # created on the team settings page, where the address is shown once

    @admin.action(description="Revoke the selected wall screens")
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())

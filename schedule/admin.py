from django.contrib import admin, messages

from core.rules import RuleViolation

from . import services
from .models import (
    BusyInterval,
    BusySource,
    FeedToken,
    InvitationSend,
    MakerPolicy,
    Meeting,
    MeetingAttendee,
)


@admin.register(MakerPolicy)
class MakerPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "team",
        "workday_start",
        "workday_end",
        "lunch_start",
        "lunch_end",
        "window_minutes",
        "max_meeting_minutes",
        "max_attendees",
    ]
    search_fields = ["team__name", "team__slug"]


class MeetingAttendeeInline(admin.TabularInline):
    model = MeetingAttendee
    extra = 0
    can_delete = False
    readonly_fields = ["user", "required"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "start", "end", "status", "sequence", "forced_into_maker_time"]
    list_filter = ["status", "forced_into_maker_time", "team"]
    search_fields = ["title", "uid", "team__name"]
    date_hierarchy = "start"
    inlines = [MeetingAttendeeInline]
    # Times, attendees and status change through the services (conflict and maker-time
    # checks, a growing sequence); the admin shows meetings but does not bypass those rules.
    readonly_fields = [
        "team",
        "start",
        "end",
        "organizer",
        "status",
        "sequence",
        "uid",
        "forced_into_maker_time",
        "cancelled_at",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # cancelled, never deleted

    actions = ["cancel_meetings"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        # The title is the one editable field; the service bumps the sequence and sends the
        # attendees the update, which a plain save would skip.
        if change and "title" in form.changed_data:
            services.meeting_update(meeting=obj, title=obj.title)

    @admin.action(description="Cancel the selected meetings (attendees are told)")
    def cancel_meetings(self, request, queryset):  # type: ignore[no-untyped-def]
        for meeting in queryset:
            try:
                services.meeting_cancel(meeting=meeting)
            except RuleViolation as refused:  # e.g. a meeting that is over stays as it was
                self.message_user(request, f"{meeting.title}: {refused.message}", messages.WARNING)


@admin.register(BusySource)
class BusySourceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "filename", "last_imported_at", "interval_count"]
    list_filter = ["kind"]
    search_fields = ["user__username", "filename"]
    readonly_fields = ["last_imported_at", "last_attempt_at", "last_error", "interval_count"]


@admin.register(BusyInterval)
class BusyIntervalAdmin(admin.ModelAdmin):
    list_display = ["user", "start", "end", "summary", "source"]
    list_filter = ["source__kind"]
    search_fields = ["user__username", "summary"]
    date_hierarchy = "start"


@admin.register(FeedToken)
class FeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "scope", "team", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["scope", "team"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "scope", "team", "last_used_at", "last_user_agent", "revoked_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # the secret is shown once, to its owner, on /me/feeds/


@admin.register(InvitationSend)
class InvitationSendAdmin(admin.ModelAdmin):
    list_display = ["meeting", "sequence", "method", "email", "attempts", "sent_at", "superseded"]
    list_filter = ["method", "superseded"]
    search_fields = ["email", "meeting__title"]
    readonly_fields = [f.name for f in InvitationSend._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

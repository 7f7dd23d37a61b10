"""REST API for the maker schedule: policy, proposals, meetings, busy sources, the maker report
and rebalance suggestions. Thin: serializers validate, services and selectors decide."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import conflict
from core.limits import MULTIPART_OVERHEAD_BYTES, TITLE_MAX_LENGTH, max_length_of
from core.parsers import LimitedJSONParser
from core.rules import RuleCode
from teams.models import Role, Team
from teams.permissions import TeamScopedMixin, request_user

from . import adapters, engine, proposals, selectors, services, weeks
from .feeds import feed_urls
from .ical.read import MAX_ICS_BYTES, MAX_ICS_SIZE, MAX_SKIPPED_LISTED, size_refusal
from .models import (
    POLICY_FIELDS,
    BusySource,
    BusySourceKind,
    FeedScope,
    FeedToken,
    MakerPolicy,
    Meeting,
    MeetingStatus,
)

# --- Fields ---------------------------------------------------------------------------------


def _aware(value: Any, *, field_name: str = "time") -> datetime:
    if isinstance(value, datetime):
        parsed: datetime | None = value
    else:
        try:
            parsed = parse_datetime(str(value))
        except ValueError:
            parsed = None
    if parsed is None:
        raise serializers.ValidationError(
            f"Give the {field_name} as ISO 8601 with an offset, e.g. 2025-03-04T13:00:00+01:00."
        )
    if timezone.is_naive(parsed):
        raise serializers.ValidationError(
            f"The {field_name} has no UTC offset; add one, e.g. 2025-03-04T13:00:00+01:00 "
            "(a time without one would be read in the wrong zone)."
        )
    _check_years(parsed)
    return parsed


def _check_years(day: date | datetime) -> None:
    if not weeks.within_planning_years(day):
        raise serializers.ValidationError(weeks.planning_years_sentence())


@extend_schema_field(OpenApiTypes.DATETIME)
class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with an offset; a naive time is refused instead of silently read as UTC."""

    def to_internal_value(self, value: Any) -> datetime:
        return _aware(value, field_name=self.field_name or "time")


@extend_schema_field(
    {
        "type": "string",
        "description": "A date (YYYY-MM-DD, in your time zone) or a date-time with offset.",
        "example": "2025-03-04",
    }
)
class DateOrDateTimeField(serializers.Field):
    def to_internal_value(self, value: Any) -> date | datetime:
        text = str(value).strip()
        try:
            day = parse_date(text)
        except ValueError:
            day = None
        if day is not None:
            _check_years(day)
            return day
        try:
            if parse_datetime(text) is None:
                raise ValueError
        except ValueError:
            raise serializers.ValidationError(
                "Give a date (YYYY-MM-DD) or a date-time with an offset."
            ) from None
        return _aware(text, field_name=self.field_name or "time")

    def to_representation(self, value: Any) -> str:
        return value.isoformat()


def usernames(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=max_length_of(User, "username")),
        max_length=100,
        **kwargs,
    )


# --- maker-policy/ ----------------------------------------------------------------------------


class MakerPolicySerializer(serializers.ModelSerializer):
    meeting_free_weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        max_length=7,
        required=False,
        help_text="0 = Monday … 6 = Sunday; these days are maker time all day.",
    )
    windows = serializers.SerializerMethodField(
        help_text="The meeting windows the hours give, best first."
    )

    class Meta:
        model = MakerPolicy
        fields = [*POLICY_FIELDS, "windows"]

    @extend_schema_field(
        inline_serializer(
            "MeetingWindow",
            {
                "kind": serializers.CharField(
                    help_text="after_lunch, early_morning or end_of_day."
                ),
                "start": serializers.TimeField(),
                "end": serializers.TimeField(),
            },
            many=True,
        )
    )
    def get_windows(self, policy: MakerPolicy) -> list[dict[str, str]]:
        return [
            {"kind": kind, "start": f"{a:%H:%M}", "end": f"{b:%H:%M}"}
            for kind, a, b in adapters.policy_windows(policy)
        ]


@extend_schema(tags=["schedule"])
class MakerPolicyView(TeamScopedMixin, generics.GenericAPIView):
    """The team's maker policy: hours, meeting windows and limits. Leads change it."""

    serializer_class = MakerPolicySerializer
    write_role = Role.LEAD

    @extend_schema(responses=MakerPolicySerializer)
    def get(self, request: Request, team_slug: str) -> Response:
        return Response(MakerPolicySerializer(selectors.policy_for(self.team)).data)

    @extend_schema(request=MakerPolicySerializer, responses=MakerPolicySerializer)
    def patch(self, request: Request, team_slug: str) -> Response:
        serializer = MakerPolicySerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        policy = services.maker_policy_update(team=self.team, **serializer.validated_data)
        return Response(MakerPolicySerializer(policy).data)


# --- slot-proposals/ --------------------------------------------------------------------------


class SlotRequestSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH, required=False, allow_blank=True)
    duration_minutes = serializers.IntegerField(min_value=1, max_value=100_000)
    attendees = usernames(allow_empty=False, help_text="Required attendees (usernames).")
    optional_attendees = usernames(required=False, default=list)
    earliest = DateOrDateTimeField(
        required=False, help_text="From this date (your time zone) or time; default now."
    )
    latest = DateOrDateTimeField(
        required=False,
        help_text="Until the end of this date (included) or this time; default 7 days later.",
    )
    allow_maker_time = serializers.BooleanField(default=False)
    limit = serializers.IntegerField(min_value=1, max_value=20, default=5)


class ProposalSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    score = serializers.FloatField(help_text="Higher is better; the list is best first.")
    windows = serializers.DictField(
        child=serializers.CharField(allow_null=True),
        help_text="Per username: after_lunch, early_morning, end_of_day or maker_time "
        "(null: an optional attendee not at work then).",
    )
    local_times = serializers.DictField(
        child=serializers.CharField(), help_text="Per username: the start in their time zone."
    )
    focus_cost_minutes = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())
    interrupts_maker_time = serializers.BooleanField()
    optional_free = serializers.ListField(child=serializers.CharField())

    def to_representation(self, proposal: engine.Proposal) -> dict[str, Any]:
        return {
            "start": proposal.start.isoformat(),
            "end": proposal.end.isoformat(),
            "score": round(proposal.score, 3),
            "windows": dict(proposal.windows),
            "local_times": {u: t.isoformat() for u, t in proposal.local_times.items()},
            "focus_cost_minutes": proposal.focus_cost_minutes,
            "reasons": list(proposal.reasons),
            "interrupts_maker_time": proposal.interrupts_maker_time,
            "optional_free": list(proposal.optional_free),
        }


class SlotProposalsSerializer(serializers.Serializer):
    proposals = ProposalSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())


@extend_schema(tags=["schedule"])
class SlotProposalsView(TeamScopedMixin, generics.GenericAPIView):
    """Ranked maker-friendly slots for a meeting: right after lunch or early in the morning
    (whichever breaks the least focus, after lunch on a tie), the end of the day as the last
    resort, in each attendee's local time."""

    serializer_class = SlotRequestSerializer

    def get_queryset(self) -> QuerySet[Meeting]:  # for the schema only
        return Meeting.objects.none()

    @extend_schema(
        request=SlotRequestSerializer,
        responses={200: SlotProposalsSerializer, 409: conflict(RuleCode.MEETING_TOO_LONG)},
    )
    def post(self, request: Request, team_slug: str) -> Response:
        serializer = SlotRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = proposals.propose_slots(
            self.team,
            viewer=request_user(request),
            duration_minutes=data["duration_minutes"],
            attendees=data["attendees"],
            optional_attendees=data["optional_attendees"],
            earliest=data.get("earliest"),
            latest=data.get("latest"),
            allow_maker_time=data["allow_maker_time"],
            limit=data["limit"],
        )
        return Response(SlotProposalsSerializer(result).data)


# --- meetings/ -------------------------------------------------------------------------------


class MeetingSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=MeetingStatus.choices, read_only=True)
    organizer = serializers.SerializerMethodField()
    attendees = serializers.SerializerMethodField(help_text="Required attendees.")
    optional_attendees = serializers.SerializerMethodField()
    local_times = serializers.SerializerMethodField(
        help_text="Per attendee: the start in their time zone."
    )
    newly_busy = serializers.SerializerMethodField(
        help_text="Attendees (usernames) whose own calendar now has busy time during this "
        "confirmed meeting, imported after it was booked."
    )
    newly_busy_sentences = serializers.SerializerMethodField(
        help_text='The same in words: "tom is now busy then".'
    )

    class Meta:
        model = Meeting
        fields = [
            "id",
            "uid",
            "title",
            "start",
            "end",
            "organizer",
            "attendees",
            "optional_attendees",
            "local_times",
            "newly_busy",
            "newly_busy_sentences",
            "status",
            "sequence",
            "forced_into_maker_time",
            "cancelled_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _newly_busy(self, meeting: Meeting) -> list[User]:
        """Computed once per response for every meeting in it (one query for a page)."""
        flagged = self.context.get("_newly_busy")
        if flagged is None:
            parent = self.parent
            instances = parent.instance if parent is not None else None
            meetings = list(instances) if instances is not None else [meeting]
            flagged = selectors.newly_busy(meetings)
            cast(dict[str, Any], self.context)["_newly_busy"] = flagged
        return flagged.get(meeting.pk, [])

    def get_newly_busy(self, meeting: Meeting) -> list[str]:
        return [user.username for user in self._newly_busy(meeting)]

    def get_newly_busy_sentences(self, meeting: Meeting) -> list[str]:
        return [selectors.busy_then_sentence(user) for user in self._newly_busy(meeting)]

    def get_organizer(self, meeting: Meeting) -> str | None:
        return meeting.organizer.username if meeting.organizer else None

    def get_attendees(self, meeting: Meeting) -> list[str]:
        return [a.user.username for a in meeting.attendance.all() if a.required]

    def get_optional_attendees(self, meeting: Meeting) -> list[str]:
        return [a.user.username for a in meeting.attendance.all() if not a.required]

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_local_times(self, meeting: Meeting) -> dict[str, str]:
        return {
            a.user.username: meeting.start.astimezone(
                ZoneInfo(adapters.person_timezone(a.user, meeting.team))
            ).isoformat()
            for a in meeting.attendance.all()
        }


class MeetingBookedSerializer(MeetingSerializer):
    """A meeting just booked or moved, with the warnings of that booking (from the context)."""

    warnings = serializers.SerializerMethodField()

    def get_warnings(self, meeting: Meeting) -> list[str]:
        return list(self.context.get("warnings", []))

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "warnings"]
        read_only_fields = fields


class MeetingCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    start = AwareDateTimeField()
    end = AwareDateTimeField()
    attendees = usernames(allow_empty=False, help_text="Required attendees (usernames).")
    optional_attendees = usernames(required=False, default=list)
    override_maker_time = serializers.BooleanField(
        default=False, help_text="Book inside maker time anyway; the meeting is flagged."
    )


class MeetingUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH, required=False)
    start = AwareDateTimeField(required=False)
    end = AwareDateTimeField(required=False)
    attendees = usernames(allow_empty=False, required=False)
    optional_attendees = usernames(required=False)
    override_maker_time = serializers.BooleanField(default=False)


def _booked(booking: services.Booking) -> dict[str, Any]:
    meeting = selectors.meetings_for_team(booking.meeting.team).get(pk=booking.meeting.pk)
    return MeetingBookedSerializer(meeting, context={"warnings": booking.warnings}).data


MEETING_CONFLICTS = conflict(
    RuleCode.SLOT_CONFLICT,
    RuleCode.MAKER_TIME,
    RuleCode.MEETING_TOO_LONG,
    note="A required attendee already has something then, or the time is inside maker time "
    "without override_maker_time.",
)


@extend_schema(tags=["schedule"])
class MeetingViewSet(
    TeamScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Team meetings. Cancelled meetings stay (status cancelled); `sequence` grows on every
    change."""

    serializer_class = MeetingSerializer

    def get_queryset(self) -> QuerySet[Meeting]:
        start = end = None
        if self.action == "list":
            start = self._time_param("from")
            end = self._time_param("to")
        qs = selectors.meetings_for_team(self.team, start=start, end=end)
        wanted = self.request.query_params.get("status") if self.action == "list" else None
        if wanted:
            if wanted not in MeetingStatus.values:
                raise serializers.ValidationError(
                    {"status": [f"Use one of: {', '.join(MeetingStatus.values)}."]}
                )
            qs = qs.filter(status=wanted)
        return qs

    def _time_param(self, name: str) -> datetime | None:
        value = self.request.query_params.get(name)
        if not value:
            return None
        try:
            parsed = DateOrDateTimeField().to_internal_value(value)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({name: exc.detail}) from exc
        if isinstance(parsed, datetime):
            return parsed
        tz_name = adapters.person_timezone(request_user(self.request), self.team)
        return datetime.combine(parsed, time(0), ZoneInfo(tz_name))

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from",
                OpenApiTypes.STR,
                description="Meetings ending after this date (YYYY-MM-DD, your zone) or time.",
            ),
            OpenApiParameter(
                "to",
                OpenApiTypes.STR,
                description="Meetings starting before this date (YYYY-MM-DD) or time.",
            ),
            OpenApiParameter("status", OpenApiTypes.STR, enum=MeetingStatus.values),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=MeetingCreateSerializer,
        responses={201: MeetingBookedSerializer, 409: MEETING_CONFLICTS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = MeetingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = services.meeting_create(
            team=self.team, organizer=request_user(request), **serializer.validated_data
        )
        return Response(_booked(booking), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=MeetingUpdateSerializer,
        responses={200: MeetingBookedSerializer, 409: MEETING_CONFLICTS},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        meeting = self.get_object()
        serializer = MeetingUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        booking = services.meeting_update(meeting=meeting, **serializer.validated_data)
        return Response(_booked(booking))

    @extend_schema(request=None, responses={200: MeetingSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        meeting = services.meeting_cancel(meeting=self.get_object())
        return Response(MeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data)


# --- busy-sources/ -----------------------------------------------------------------------------


class SkippedEventSerializer(serializers.Serializer):
    summary = serializers.CharField(help_text="The event's title as the file has it.")
    reason = serializers.CharField(help_text='Why it was skipped, completing "The event …".')


class BusySourceSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=BusySourceKind.choices, read_only=True)
    skipped = SkippedEventSerializer(
        many=True,
        read_only=True,
        help_text=f"Events the last import could not read (at most {MAX_SKIPPED_LISTED}); the "
        "rest of the calendar was imported without them.",
    )
    skipped_count = serializers.IntegerField(
        read_only=True, help_text="How many events were skipped in all."
    )

    class Meta:
        model = BusySource
        fields = [
            "id",
            "kind",
            "url",
            "filename",
            "last_imported_at",
            "last_attempt_at",
            "last_error",
            "interval_count",
            "skipped",
            "skipped_count",
            "created_at",
        ]
        read_only_fields = fields


class BusySourceImportedSerializer(BusySourceSerializer):
    imported = serializers.IntegerField(
        read_only=True, help_text="Busy intervals imported (recurrences expanded)."
    )

    class Meta(BusySourceSerializer.Meta):
        fields = [*BusySourceSerializer.Meta.fields, "imported"]
        read_only_fields = fields


class BusyUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=f"An .ics export, at most {MAX_ICS_SIZE}.")


class BusyUrlSerializer(serializers.Serializer):
    url = serializers.CharField(
        max_length=max_length_of(BusySource, "url"),
        help_text="An http(s):// or webcal:// address of an .ics feed.",
    )


BUSY_IMPORT_FAILED = OpenApiResponse(
    inline_serializer(
        "BusyImportFailed",
        {
            "file": serializers.ListField(
                child=serializers.CharField(), required=False, help_text="Why, in words."
            ),
            "url": serializers.ListField(
                child=serializers.CharField(), required=False, help_text="Why, in words."
            ),
        },
    ),
    description="The calendar could not be imported: field errors like any other validation "
    "error, on the field sent. What was imported before is kept.",
)


def _imported(source: BusySource, code: int = status.HTTP_201_CREATED) -> Response:
    data = dict(BusySourceSerializer(source).data)
    data["imported"] = source.interval_count
    return Response(data, status=code)


class _CalendarsViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A person's own busy calendars: an uploaded .ics and any calendar URLs. They count in
    every team the person is in; nobody else sees them (a calendar URL is often a secret)."""

    serializer_class = BusySourceSerializer
    parser_classes = [LimitedJSONParser, MultiPartParser, FormParser]
    # An upload is refused by its Content-Length before it is read (core.middleware).
    max_request_bytes = MAX_ICS_BYTES + MULTIPART_OVERHEAD_BYTES
    request_too_large_message = size_refusal()

    def get_queryset(self) -> QuerySet[BusySource]:
        return selectors.busy_sources_for(request_user(self.request))

    @extend_schema(
        request={
            "multipart/form-data": BusyUploadSerializer,
            "application/json": BusyUrlSerializer,
        },
        responses={201: BusySourceImportedSerializer, 400: BUSY_IMPORT_FAILED},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # services.BusyImportFailed is a field error ({"file": [...]} or {"url": [...]}) that
        # the API's exception handler turns into the usual 400.
        user = request_user(request)
        if "file" in request.FILES:
            upload = BusyUploadSerializer(data=request.data)
            upload.is_valid(raise_exception=True)
            source = services.busy_source_import_file(user=user, file=upload.validated_data["file"])
        elif isinstance(request.data, Mapping) and "url" in request.data:
            link = BusyUrlSerializer(data=request.data)
            link.is_valid(raise_exception=True)
            source = services.busy_source_add_url(user=user, url=link.validated_data["url"])
        else:
            raise serializers.ValidationError(
                {"file": ["Send an .ics file (multipart field `file`) or a calendar `url`."]}
            )
        return _imported(source)

    @extend_schema(
        request=None, responses={200: BusySourceImportedSerializer, 400: BUSY_IMPORT_FAILED}
    )
    @action(detail=True, methods=["post"])
    def refresh(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        source = services.busy_source_refresh(source=self.get_object())
        return _imported(source, status.HTTP_200_OK)

    def perform_destroy(self, instance: BusySource) -> None:
        services.busy_source_delete(source=instance)


@extend_schema(tags=["me"])
class MyCalendarViewSet(_CalendarsViewSet):
    """Your busy calendars, the home of them: an uploaded .ics and any calendar URLs, used
    for every team you are in. Nobody else sees them (a calendar URL is often a secret)."""


@extend_schema(tags=["schedule"])
class BusySourceViewSet(TeamScopedMixin, _CalendarsViewSet):
    """Your busy calendars seen from one team: the same ones as `me/calendars/` (a file
    uploaded here counts in every team you are in). Viewers read; members add and remove."""


# --- maker-report/ and rebalance/ ---------------------------------------------------------------

WEEK_PARAM = OpenApiParameter(
    "week",
    OpenApiTypes.STR,
    description="An ISO week, YYYY-Www (e.g. 2025-W07); default: this week in the team's zone.",
)


def _week(request: Request, team: Any) -> date:
    return weeks.parse_week(
        request.query_params.get("week"), today=weeks.team_today(team, timezone.now())
    )


class HoursField(serializers.FloatField):
    """Minutes, shown as hours with two decimals."""

    def to_representation(self, minutes: int) -> float:  # type: ignore[override]
        return round(minutes / 60, 2)


class PercentField(serializers.FloatField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_null=True, **kwargs)

    def to_representation(self, value: float) -> float:  # type: ignore[override]
        return round(value, 1)


class DaySerializer(serializers.Serializer):
    date = serializers.DateField(source="day")
    focus_hours = HoursField(source="focus_minutes")
    meetings = serializers.IntegerField()
    maker_friendly_meetings = serializers.IntegerField()
    interrupts = serializers.IntegerField()


class ReportTotalsSerializer(serializers.Serializer):
    focus_hours = HoursField(source="focus_minutes")
    meetings = serializers.IntegerField()
    maker_friendly_percent = PercentField()
    interrupts = serializers.IntegerField()


class PersonReportSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField(help_text="The name people see: their full name, or username.")
    timezone = serializers.CharField(source="week.timezone")
    focus_hours = HoursField(source="week.focus_minutes")
    meetings = serializers.IntegerField(source="week.meetings")
    maker_friendly_percent = PercentField(source="week.maker_friendly_percent")
    interrupts = serializers.IntegerField(source="week.interrupts")
    focus_hours_delta = HoursField(
        source="delta_focus_minutes",
        allow_null=True,
        help_text="Change from the week before (null: not in the team before this week).",
    )
    days = DaySerializer(source="week.days", many=True)


class MakerReportSerializer(serializers.Serializer):
    week = serializers.SerializerMethodField()
    week_start = serializers.DateField()
    team_timezone = serializers.CharField(source="current.team_timezone")
    focus_hours = HoursField(source="current.focus_minutes")
    meetings = serializers.IntegerField(source="current.meetings")
    maker_friendly_percent = PercentField(source="current.maker_friendly_percent")
    interrupts = serializers.IntegerField(source="current.interrupts")
    focus_hours_delta = HoursField(
        source="delta_focus_minutes",
        allow_null=True,
        help_text="Change from the week before (null: the team is new this week).",
    )
    previous = ReportTotalsSerializer(
        allow_null=True,
        help_text="The week before, for comparison (null: the team is new this week).",
    )
    days = DaySerializer(source="current.days", many=True)
    people = PersonReportSerializer(many=True)

    def get_week(self, report: selectors.WeekReport) -> str:
        return weeks.week_label(report.week_start)


@extend_schema(tags=["schedule"])
class MakerReportView(TeamScopedMixin, generics.GenericAPIView):
    """Focus hours per person and day (uninterrupted blocks of at least the policy's minimum),
    % of meetings in maker-friendly windows and interrupts, with the change from last week."""

    serializer_class = MakerReportSerializer

    @extend_schema(parameters=[WEEK_PARAM], responses=MakerReportSerializer)
    def get(self, request: Request, team_slug: str) -> Response:
        report = selectors.maker_report(self.team, _week(request, self.team))
        return Response(MakerReportSerializer(report).data)


class MoveSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(source="meeting.pk", help_text="The meeting's id.")
    title = serializers.CharField(source="move.title")
    old_start = serializers.DateTimeField(source="move.old_start")
    old_end = serializers.DateTimeField(source="move.old_end")
    new_start = serializers.DateTimeField(source="move.new_start")
    new_end = serializers.DateTimeField(source="move.new_end")
    focus_gain_minutes = serializers.IntegerField(source="move.focus_gain_minutes")
    reasons = serializers.ListField(source="move.reasons", child=serializers.CharField())


class RebalanceSerializer(serializers.Serializer):
    week = serializers.CharField()
    suggestions = MoveSerializer(many=True)


@extend_schema(tags=["schedule"])
class RebalanceView(TeamScopedMixin, generics.GenericAPIView):
    """Suggested moves of this week's meetings that give the team focus time back without
    conflicts. Apply one with PATCH meetings/<id>/ {start, end}."""

    serializer_class = RebalanceSerializer

    @extend_schema(parameters=[WEEK_PARAM], responses=RebalanceSerializer)
    def get(self, request: Request, team_slug: str) -> Response:
        monday = _week(request, self.team)
        suggestions = selectors.rebalance(self.team, monday, now=timezone.now())
        return Response(
            RebalanceSerializer({"week": weeks.week_label(monday), "suggestions": suggestions}).data
        )


# --- me/feeds/ ---------------------------------------------------------------------------------


class FeedTokenSerializer(serializers.ModelSerializer):
    team: serializers.SlugRelatedField[Team] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = FeedToken
        fields = [
            "id",
            "scope",
            "team",
            "include_maker_blocks",
            "created_at",
            "last_used_at",
            "last_user_agent",
        ]
        read_only_fields = fields


class FeedCreateSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=FeedScope.choices)
    team = serializers.SlugField(
        required=False, allow_null=True, help_text="The team's slug (team feeds only)."
    )
    include_maker_blocks = serializers.BooleanField(required=False, default=False)


class FeedAddressSerializer(FeedTokenSerializer):
    """A feed with its addresses: only in the answer that created or rotated it."""

    url = serializers.SerializerMethodField()
    webcal_url = serializers.SerializerMethodField()

    class Meta(FeedTokenSerializer.Meta):
        fields = [*FeedTokenSerializer.Meta.fields, "url", "webcal_url"]
        read_only_fields = fields

    def _urls(self) -> tuple[str, str]:
        return feed_urls(self.context["request"], self.context["secret"])

    def get_url(self, obj: FeedToken) -> str:
        return self._urls()[0]

    def get_webcal_url(self, obj: FeedToken) -> str:
        return self._urls()[1]


class FeedTokenViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[FeedToken]
):
    """My calendar feed addresses. The address (a secret) appears only in the answers to
    create and rotate; revoking (DELETE) makes it answer 404 for good."""

    serializer_class = FeedTokenSerializer

    def get_queryset(self) -> QuerySet[FeedToken]:
        return (
            FeedToken.objects.live()
            .filter(user=request_user(self.request))
            .select_related("team")
            .order_by("-created_at", "-pk")
        )

    def _address(self, token: FeedToken, secret: str, code: int) -> Response:
        context = {"request": self.request, "secret": secret}
        return Response(FeedAddressSerializer(token, context=context).data, status=code)

    @extend_schema(request=FeedCreateSerializer, responses={201: FeedAddressSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = FeedCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request_user(request)
        team: Team | None = None
        if data.get("team"):
            membership = (
                user.memberships.select_related("team").filter(team__slug=data["team"]).first()
            )
            if membership is None:
                raise serializers.ValidationError({"team": ["You are not in a team called that."]})
            team = membership.team
        token, secret = services.feed_token_create(
            user=user,
            scope=data["scope"],
            team=team,
            include_maker_blocks=data["include_maker_blocks"],
        )
        return self._address(token, secret, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.feed_token_revoke(token=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: FeedAddressSerializer})
    @action(detail=True, methods=["post"])
    def rotate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        token = self.get_object()
        secret = services.feed_token_rotate(token=token)
        return self._address(token, secret, status.HTTP_200_OK)

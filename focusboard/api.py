"""REST API for the focus board: items, their transitions, and the focus history."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import conflict
from core.rules import RuleCode
from milestones.models import Milestone
from teams.models import Membership
from teams.permissions import TeamScopedMixin, request_user

from . import selectors, services
from .models import OUTCOME_MAX_LENGTH, TITLE_MAX_LENGTH, FocusEvent, FocusItem, FocusStatus

STATUS_FILTERS = [*FocusStatus.values, "all"]


@extend_schema_field(
    {"type": "string", "nullable": True, "description": "A team member's username."}
)
class OwnerField(serializers.SlugRelatedField):
    """A team member referred to by username."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="username", allow_null=True, required=False, **kwargs)

    def get_queryset(self) -> QuerySet[User]:
        team = self.context["team"]
        return User.objects.filter(pk__in=Membership.objects.filter(team=team).values("user_id"))


@extend_schema_field(OpenApiTypes.INT)
class MilestoneField(serializers.PrimaryKeyRelatedField):
    """One of the team's milestones, by id (another team's is "does not exist")."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "The id of the milestone this topic moves towards.")
        super().__init__(allow_null=True, required=False, **kwargs)

    def get_queryset(self) -> QuerySet[Milestone]:
        return Milestone.objects.filter(team=self.context["team"])


class FocusItemSerializer(serializers.ModelSerializer):
    owner = OwnerField()
    milestone = MilestoneField()
    status = serializers.ChoiceField(
        choices=[FocusStatus.ACTIVE, FocusStatus.PARKED],
        default=FocusStatus.ACTIVE,
        help_text="On create: active (default) or parked.",
    )
    days_on_board = serializers.SerializerMethodField(
        help_text="Day N of the current stretch on the board: calendar days in the team's time "
        "zone since it last became active, the first day being 1; null unless active. "
        "Parking ends a stretch."
    )
    days_on_board_total = serializers.SerializerMethodField(
        help_text="Calendar days on the board across every stretch (parking and resuming "
        "keeps them; a day counts once); 0 if it never was on the board."
    )

    class Meta:
        model = FocusItem
        fields = [
            "id",
            "title",
            "why",
            "owner",
            "milestone",
            "status",
            "position",
            "activated_at",
            "days_on_board",
            "days_on_board_total",
            "outcome",
            "closed_at",
        ]
        read_only_fields = ["id", "position", "activated_at", "outcome", "closed_at"]
        extra_kwargs = {"title": {"max_length": TITLE_MAX_LENGTH}, "why": {"required": False}}

    def get_days_on_board(self, item: FocusItem) -> int | None:
        return item.days_on_board(self.context["now"])

    def get_days_on_board_total(self, item: FocusItem) -> int:
        totals = self.context.get("days_total")
        if totals is None or item.pk not in totals:
            totals = selectors.board_days_total([item], self.context["now"])
        return totals[item.pk]

    def to_representation(self, instance: FocusItem) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["status"] = instance.status  # done/dropped are read-only states
        return data


class FocusItemUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH, required=False)
    why = serializers.CharField(required=False, allow_blank=True)
    owner = OwnerField()
    milestone = MilestoneField()
    position = serializers.IntegerField(
        min_value=0, required=False, help_text="0-based place among the active items."
    )


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.CharField(
        max_length=OUTCOME_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="What the team learned (optional).",
    )


class UndoSerializer(serializers.Serializer):
    event = serializers.IntegerField(
        required=False,
        help_text="The id of the finish or drop event to undo (from the history); without "
        "it, the item's latest. Refused with 409 `undo_outdated` if the item changed since.",
    )


class SwapSerializer(serializers.Serializer):
    replace = serializers.IntegerField(help_text="The id of the active item to park.")


CAP_REACHED = conflict(
    RuleCode.FOCUS_CAP_REACHED,
    RuleCode.INVALID_TRANSITION,
    note="focus_cap_reached comes with focus_cap and active.",
)
UNDO_REFUSED = conflict(
    RuleCode.UNDO_OUTDATED,
    RuleCode.FOCUS_CAP_REACHED,
    note="undo_outdated: the item changed since; focus_cap_reached: it was on the board "
    "and the board is full again.",
)


@extend_schema(tags=["focus board"])
class FocusItemViewSet(
    TeamScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The team's focus items. Adding or activating past the cap answers 409
    `focus_cap_reached`; items are never deleted (drop them instead).

    Undoing: a park is undone by `activate/`, an activate by `park/`; a finish or a drop by
    `undo/` (back to active or parked, as it was); a dropped item can be brought back as
    parked at any time by `bring-back/`."""

    serializer_class = FocusItemSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[FocusItem]:
        wanted = self.request.query_params.get("status", FocusStatus.ACTIVE)
        if self.action == "list":
            if wanted not in STATUS_FILTERS:
                raise serializers.ValidationError(
                    {"status": [f"Use one of: {', '.join(STATUS_FILTERS)}."]}
                )
            return selectors.focus_items(self.team, wanted)
        return selectors.focus_items(self.team, "all")

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if hasattr(self, "team_access"):
            context.update(team=self.team, now=selectors.team_now(self.team))
        return context

    def _answer(self, item: FocusItem, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(item).data, status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=STATUS_FILTERS, default="active")
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        items = list(page if page is not None else queryset)
        context = self.get_serializer_context()
        # Totals for the whole page in one query, not one per item.
        context["days_total"] = selectors.board_days_total(items, context["now"])
        data = self.get_serializer_class()(items, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(responses={201: FocusItemSerializer, 409: CAP_REACHED})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        item = services.focus_item_add(
            team=self.team,
            actor=request_user(request),
            title=data["title"],
            why=data.get("why", ""),
            owner=data.get("owner"),
            milestone=data.get("milestone"),
            status=data["status"],
        )
        return self._answer(item, status.HTTP_201_CREATED)

    @extend_schema(
        request=FocusItemUpdateSerializer, responses={200: FocusItemSerializer, 409: CAP_REACHED}
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self.get_object()
        serializer = FocusItemUpdateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        position = data.pop("position", None)
        if data:
            item = services.focus_item_edit(
                item=item, actor=request_user(request), fields=set(data), **data
            )
        if position is not None:
            item = services.focus_item_move(
                item=item, actor=request_user(request), position=position
            )
        return self._answer(item)

    def _transition(self, request: Request, service: Any) -> Response:
        item = service(item=self.get_object(), actor=request_user(request))
        return self._answer(item)

    @extend_schema(request=None, responses={200: FocusItemSerializer, 409: CAP_REACHED})
    @action(detail=True, methods=["post"])
    def park(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._transition(request, services.focus_item_park)

    @extend_schema(request=None, responses={200: FocusItemSerializer, 409: CAP_REACHED})
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._transition(request, services.focus_item_activate)

    def _closing(self, request: Request, service: Any) -> Response:
        serializer = OutcomeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = service(
            item=self.get_object(),
            actor=request_user(request),
            outcome=serializer.validated_data["outcome"],
        )
        return self._answer(item)

    @extend_schema(
        request=OutcomeSerializer, responses={200: FocusItemSerializer, 409: CAP_REACHED}
    )
    @action(detail=True, methods=["post"])
    def finish(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Mark it done, optionally with `outcome`: what the team learned. Undo with `undo/`."""
        return self._closing(request, services.focus_item_finish)

    @extend_schema(
        request=OutcomeSerializer, responses={200: FocusItemSerializer, 409: CAP_REACHED}
    )
    @action(detail=True, methods=["post"])
    def drop(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Drop it, optionally with `outcome`. Undo with `undo/`; later, `bring-back/`."""
        return self._closing(request, services.focus_item_drop)

    @extend_schema(
        request=OutcomeSerializer, responses={200: FocusItemSerializer, 409: CAP_REACHED}
    )
    @action(detail=True, methods=["post"])
    def outcome(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Write or rewrite the outcome of a finished or dropped item."""
        return self._closing(request, services.focus_item_note_outcome)

    @extend_schema(request=UndoSerializer, responses={200: FocusItemSerializer, 409: UNDO_REFUSED})
    @action(detail=True, methods=["post"])
    def undo(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Take back a finish or drop: the item returns to the board or to parked, as it was."""
        serializer = UndoSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = self.get_object()
        event = None
        if "event" in serializer.validated_data:
            event = get_object_or_404(FocusEvent, item=item, pk=serializer.validated_data["event"])
        item = services.focus_item_undo(item=item, actor=request_user(request), event=event)
        return self._answer(item)

    @extend_schema(request=None, responses={200: FocusItemSerializer, 409: CAP_REACHED})
    @action(detail=True, methods=["post"], url_path="bring-back")
    def bring_back(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Bring a dropped item back as parked."""
        return self._transition(request, services.focus_item_bring_back)

    @extend_schema(request=SwapSerializer, responses={200: FocusItemSerializer, 409: CAP_REACHED})
    @action(detail=True, methods=["post"])
    def swap(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Park the item named in `replace` and put this (parked) item on the board, atomically."""
        serializer = SwapSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        replace = get_object_or_404(
            FocusItem, team=self.team, pk=serializer.validated_data["replace"]
        )
        item = services.focus_item_swap(
            item=self.get_object(), replace=replace, actor=request_user(request)
        )
        return self._answer(item)


class FocusEventSerializer(serializers.ModelSerializer):
    item = inline_serializer(
        "FocusEventItem", {"id": serializers.IntegerField(), "title": serializers.CharField()}
    )
    actor: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = FocusEvent
        fields = ["id", "kind", "item", "actor", "at", "active_after", "detail"]

    def to_representation(self, instance: FocusEvent) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["item"] = {"id": instance.item_id, "title": instance.item.title}
        return data


class FocusHistorySummarySerializer(serializers.Serializer):
    switches_per_month = inline_serializer(
        "MonthSwitches",
        {"month": serializers.CharField(), "switches": serializers.IntegerField()},
        many=True,
    )
    median_days_on_board = serializers.FloatField(allow_null=True)
    timeline = inline_serializer(
        "TimelineItem",
        {
            "id": serializers.IntegerField(),
            "title": serializers.CharField(),
            "status": serializers.CharField(),
            "intervals": inline_serializer(
                "TimelineInterval",
                {
                    "start": serializers.DateTimeField(),
                    "end": serializers.DateTimeField(allow_null=True),
                },
                many=True,
            ),
        },
        many=True,
    )


@extend_schema(tags=["focus board"])
class FocusHistoryViewSet(TeamScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The board's append-only event log, newest first, and a summary: the timeline of
    which items were on the board when, focus switches per month, median days on board."""

    serializer_class = FocusEventSerializer

    def get_queryset(self) -> QuerySet[FocusEvent]:
        return (
            FocusEvent.objects.filter(team=self.team)
            .select_related("item", "actor")
            .order_by("-at", "-pk")
        )

    @extend_schema(responses=FocusHistorySummarySerializer)
    @action(detail=False, methods=["get"])
    def summary(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        history = selectors.focus_history(self.team)
        return Response(
            {
                "switches_per_month": [
                    {"month": month, "switches": n} for month, n in history.switches_per_month
                ],
                "median_days_on_board": history.median_days_on_board,
                "timeline": [
                    {
                        "id": h.item.pk,
                        "title": h.item.title,
                        "status": h.item.status,
                        "intervals": [{"start": i.start, "end": i.end} for i in h.intervals],
                    }
                    for h in history.items
                ],
            }
        )

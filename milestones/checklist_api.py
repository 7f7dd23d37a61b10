"""REST API for milestones (with `complete/`, `checks/`, `slips/`) and the team's
non-negotiables.

Members create, move and check milestones; leads edit the non-negotiables; viewers read;
non-members get 404. Slips and non-negotiable versions have no write endpoint: they are
appended by the services only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import conflict
from core.limits import TITLE_MAX_LENGTH
from core.rules import RuleCode
from teams.models import Role
from teams.permissions import TeamScopedMixin, request_user

from . import selectors, services, softdates
from .models import (
    Check,
    Milestone,
    MilestoneSlip,
    MilestoneStatus,
    NonNegotiable,
    Precision,
    Target,
)


@extend_schema_field(OpenApiTypes.INT)
class TeamTargetField(serializers.PrimaryKeyRelatedField):
    """A target of one of this team's visions (another team's is 'does not exist')."""

    def get_queryset(self) -> QuerySet[Target]:
        return Target.objects.filter(vision__team=self.context["team"]).select_related("vision")


class SlipSerializer(serializers.ModelSerializer):
    author: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = MilestoneSlip
        fields = [
            "id",
            "old_date",
            "new_date",
            "old_precision",
            "new_precision",
            "reason",
            "basis",
            "author",
            "at",
        ]


class CheckSerializer(serializers.ModelSerializer):
    checked_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    evidence = serializers.CharField(read_only=True)
    title = serializers.CharField(source="non_negotiable.title", read_only=True)
    current_version = serializers.IntegerField(source="non_negotiable.version", read_only=True)
    against_previous_version = serializers.SerializerMethodField(
        help_text="Checked against an older wording of the non-negotiable."
    )

    class Meta:
        model = Check
        fields = [
            "non_negotiable",
            "title",
            "version",
            "current_version",
            "against_previous_version",
            "checked_by",
            "checked_at",
            "evidence",
            "evidence_url",
            "evidence_note",
        ]

    def get_against_previous_version(self, check: Check) -> bool:
        return check.version < check.non_negotiable.version


class CheckWriteSerializer(serializers.Serializer):
    evidence = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="An http(s) link or a note; required when the non-negotiable requires it.",
    )


class MilestoneSerializer(serializers.ModelSerializer):
    target = TeamTargetField(allow_null=True, required=False)
    precision = serializers.ChoiceField(choices=Precision.choices, default=Precision.WEEK)
    status = serializers.CharField(read_only=True)
    soft_date = serializers.SerializerMethodField(help_text='e.g. "~ mid-March".')
    passed = serializers.SerializerMethodField(
        help_text='Neutral words once the soft date has passed: "aimed for ..., re-aim?".'
    )
    slip_count = serializers.SerializerMethodField()
    moved = serializers.SerializerMethodField(help_text='e.g. "moved 2x (+5 weeks)".')
    checks_done = serializers.SerializerMethodField()
    checks_total = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField(
        help_text="Titles of the active non-negotiables not yet met."
    )

    class Meta:
        model = Milestone
        fields = [
            "id",
            "title",
            "description",
            "target",
            "target_date",
            "precision",
            "soft_date",
            "passed",
            "status",
            "done_at",
            "slip_count",
            "moved",
            "checks_done",
            "checks_total",
            "missing",
        ]
        read_only_fields = ["id", "done_at"]
        extra_kwargs = {
            "title": {"max_length": TITLE_MAX_LENGTH},
            "description": {"required": False, "allow_blank": True},
        }

    def get_soft_date(self, milestone: Milestone) -> str:
        return softdates.soft_date(milestone.target_date, milestone.precision)

    def get_passed(self, milestone: Milestone) -> str | None:
        if not milestone.is_open:
            return None
        return softdates.passed_phrase(
            milestone.target_date, milestone.precision, self.context["today"]
        )

    def get_slip_count(self, milestone: Milestone) -> int:
        return len(milestone.slips.all())

    def get_moved(self, milestone: Milestone) -> str:
        return selectors.moved(milestone)

    def get_missing(self, milestone: Milestone) -> list[str]:
        return selectors.missing(milestone, self.context["active"])

    def get_checks_total(self, milestone: Milestone) -> int:
        return len(self.context["active"])

    def get_checks_done(self, milestone: Milestone) -> int:
        return len(self.context["active"]) - len(self.get_missing(milestone))


class MilestoneUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    target = TeamTargetField(allow_null=True, required=False)
    target_date = serializers.DateField(required=False)
    precision = serializers.ChoiceField(choices=Precision.choices, required=False)
    status = serializers.ChoiceField(
        choices=[MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS, MilestoneStatus.DROPPED],
        required=False,
        help_text="Done only through `complete/`, which checks the non-negotiables.",
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text="Why the target date moves: required then."
    )
    basis = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="What the new estimate is based on: required once it has moved twice.",
    )


class NonNegotiableSerializer(serializers.ModelSerializer):
    retired = serializers.BooleanField(
        required=False, help_text="Retire it (it stays in history; nothing is deleted)."
    )

    class Meta:
        model = NonNegotiable
        fields = [
            "id",
            "title",
            "description",
            "requires_evidence",
            "position",
            "version",
            "retired",
            "retired_at",
            "created_at",
        ]
        read_only_fields = ["id", "version", "retired_at", "created_at"]
        extra_kwargs = {
            "title": {"max_length": TITLE_MAX_LENGTH},
            "description": {"required": False, "allow_blank": True},
            "position": {"required": False},
        }

    def to_representation(self, instance: NonNegotiable) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["retired"] = instance.retired_at is not None
        return data


class MilestoneViewSet(
    TeamScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The team's milestones by soft date: `?status=open` (default), `done`, `dropped`, `all`.
    Moving a date needs a reason (409 `reason_required`); `complete/` answers 409
    `non_negotiables_unmet` with `missing` until every active non-negotiable is checked."""

    serializer_class = MilestoneSerializer
    lookup_url_kwarg = "milestone_id"

    def get_queryset(self) -> QuerySet[Milestone]:
        wanted = self.request.query_params.get("status", "open")
        if self.action == "list" and wanted not in selectors.MILESTONE_FILTERS:
            raise serializers.ValidationError(
                {"status": [f"Use one of: {', '.join(selectors.MILESTONE_FILTERS)}."]}
            )
        return selectors.milestones(self.team, wanted if self.action == "list" else "all")

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if hasattr(self, "team_access"):
            context.update(
                team=self.team,
                today=selectors.team_today(self.team),
                active=selectors.active_non_negotiables(self.team),
            )
        return context

    def _answer(self, milestone: Milestone, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.milestones(self.team, "all").get(pk=milestone.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(responses={201: MilestoneSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        milestone = services.milestone_create(
            team=self.team,
            actor=request_user(request),
            title=data["title"],
            description=data.get("description", ""),
            target=data.get("target"),
            target_date=data["target_date"],
            precision=data["precision"],
        )
        return self._answer(milestone, status.HTTP_201_CREATED)

    @extend_schema(
        request=MilestoneUpdateSerializer,
        responses={
            200: MilestoneSerializer,
            409: conflict(RuleCode.REASON_REQUIRED, RuleCode.INVALID_TRANSITION),
        },
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        milestone = self.get_object()
        serializer = MilestoneUpdateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reason, basis = data.pop("reason", ""), data.pop("basis", "")
        milestone = services.milestone_update(
            milestone=milestone,
            actor=request_user(request),
            fields=data,
            reason=reason,
            basis=basis,
        )
        return self._answer(milestone)

    @extend_schema(
        request=None,
        responses={
            200: MilestoneSerializer,
            409: conflict(RuleCode.NON_NEGOTIABLES_UNMET, RuleCode.INVALID_TRANSITION),
        },
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        milestone = services.milestone_complete(
            milestone=self.get_object(), actor=request_user(request)
        )
        return self._answer(milestone)

    @extend_schema(responses={200: SlipSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def slips(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        milestone = self.get_object()
        return Response(SlipSerializer(milestone.slips.all(), many=True).data)


class CheckViewSet(TeamScopedMixin, viewsets.GenericViewSet):
    """A milestone's checklist: `GET checks/` lists the checks; `PUT checks/<id>/`
    `{"evidence"}` checks one non-negotiable, `DELETE` unchecks it."""

    serializer_class = CheckSerializer

    @property
    def milestone(self) -> Milestone:
        return get_object_or_404(Milestone, team=self.team, pk=self.kwargs["milestone_id"])

    def _item(self) -> NonNegotiable:
        return get_object_or_404(NonNegotiable, team=self.team, pk=self.kwargs["non_negotiable_id"])

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        checks = selectors.checks(self.milestone)
        return Response(CheckSerializer(checks, many=True).data)

    @extend_schema(
        request=CheckWriteSerializer,
        responses={200: CheckSerializer, 409: conflict(RuleCode.INVALID_TRANSITION)},
    )
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = CheckWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        check = services.check_set(
            milestone=self.milestone,
            non_negotiable=self._item(),
            actor=request_user(request),
            evidence=serializer.validated_data.get("evidence", ""),
        )
        return Response(CheckSerializer(selectors.checks(check.milestone).get(pk=check.pk)).data)

    @extend_schema(responses={204: None, 409: conflict(RuleCode.INVALID_TRANSITION)})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.check_remove(
            milestone=self.milestone, non_negotiable=self._item(), actor=request_user(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class NonNegotiableViewSet(
    TeamScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The team's non-negotiables (`?retired=1` includes retired ones). Leads add, reword
    (a new version) and retire them; nothing is ever deleted."""

    serializer_class = NonNegotiableSerializer
    write_role = Role.LEAD
    lookup_url_kwarg = "non_negotiable_id"

    def get_queryset(self) -> QuerySet[NonNegotiable]:
        every = NonNegotiable.objects.filter(team=self.team)
        if self.action == "list" and self.request.query_params.get("retired") != "1":
            return every.filter(retired_at__isnull=True)
        return every

    @extend_schema(responses={201: NonNegotiableSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        item = services.non_negotiable_add(
            team=self.team,
            actor=request_user(request),
            title=data["title"],
            description=data.get("description", ""),
            requires_evidence=data.get("requires_evidence", False),
            position=data.get("position"),
        )
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={200: NonNegotiableSerializer, 409: conflict(RuleCode.INVALID_TRANSITION)}
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self.get_object()
        serializer = self.get_serializer(item, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        retire = data.pop("retired", False)
        if data:
            item = services.non_negotiable_update(
                item=item, actor=request_user(request), fields=data
            )
        if retire:
            item = services.non_negotiable_retire(item=item)
        return Response(self.get_serializer(item).data)

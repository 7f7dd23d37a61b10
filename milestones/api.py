"""REST API for the vision: visions (and the current one), their criteria, targets and
revisions, quarterly reviews, and the pipeline tokens that post criteria values.

Leads edit the vision, its targets and reviews; members update criteria values (and so can a
pipeline holding a criteria token); viewers read; non-members get 404. History (target
revisions, criterion values, reviews and their snapshots) has no write endpoint at all.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import conflict
from core.limits import TITLE_MAX_LENGTH
from core.rules import RuleCode
from core.times import validate_planning_years
from teams.models import Membership, Role
from teams.permissions import TeamAccess, TeamScopedMixin, request_user

from . import periods, selectors, services
from .models import (
    Comparator,
    CriteriaToken,
    CriterionValue,
    DoneCriterion,
    Outcome,
    QuarterlyReview,
    Target,
    TargetRevision,
    Vision,
    VisionStatus,
)

CHANGE_REFUSED = conflict(RuleCode.REASON_REQUIRED, RuleCode.INVALID_TRANSITION)
REASON_HELP = "Why it changes: required when the text (or the problem, or the dates) changes."


# --- Serializers -----------------------------------------------------------------------------


class PeriodSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    starts_on = serializers.DateField(
        validators=[validate_planning_years], help_text="Its first day."
    )
    ends_on = serializers.DateField(
        validators=[validate_planning_years],
        help_text="The day after its last day: its review date.",
    )
    label = serializers.CharField()  # type: ignore[assignment]


class CriterionValueSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField(help_text="A username, or the pipeline's token label.")

    class Meta:
        model = CriterionValue
        fields = ["at", "old_value", "new_value", "by"]

    def get_by(self, value: CriterionValue) -> str:
        # The API names people by username (what clients send); pages show their names.
        if value.token_id is None and value.author is not None:
            return value.author.username
        return value.source


class CriterionSerializer(serializers.ModelSerializer):
    met = serializers.BooleanField(read_only=True, help_text="Computed, never typed in.")
    comparator = serializers.ChoiceField(choices=Comparator.choices)

    class Meta:
        model = DoneCriterion
        fields = [
            "id",
            "description",
            "metric",
            "comparator",
            "target_value",
            "unit",
            "current_value",
            "updated_at",
            "met",
        ]
        read_only_fields = ["id", "updated_at"]
        extra_kwargs = {"description": {"required": False, "allow_blank": True}}


class CriterionWithHistorySerializer(CriterionSerializer):
    history = CriterionValueSerializer(source="values", many=True, read_only=True)

    class Meta(CriterionSerializer.Meta):
        fields = [*CriterionSerializer.Meta.fields, "history"]


class CriterionValueUpdateSerializer(serializers.Serializer):
    current_value = serializers.FloatField()


class TargetSerializer(serializers.ModelSerializer):
    period = serializers.IntegerField(min_value=1, max_value=periods.PERIODS)
    revision_count = serializers.IntegerField(read_only=True)
    starts_on = serializers.SerializerMethodField()
    ends_on = serializers.SerializerMethodField()
    reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True, help_text=REASON_HELP
    )

    class Meta:
        model = Target
        fields = [
            "id",
            "vision",
            "period",
            "text",
            "starts_on",
            "ends_on",
            "revision_count",
            "updated_at",
            "reason",
        ]
        read_only_fields = ["id", "vision", "updated_at"]

    def _period(self, target: Target) -> periods.Period:
        return target.vision.periods[target.period - 1]

    def get_starts_on(self, target: Target) -> str:
        return self._period(target).starts_on.isoformat()

    def get_ends_on(self, target: Target) -> str:
        return self._period(target).ends_on.isoformat()


class TargetUpdateSerializer(serializers.Serializer):
    text = serializers.CharField()
    reason = serializers.CharField(required=False, allow_blank=True, help_text=REASON_HELP)


class TargetRevisionSerializer(serializers.ModelSerializer):
    author: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    review = serializers.SerializerMethodField(help_text="The review that made it, if any.")

    class Meta:
        model = TargetRevision
        fields = ["id", "text", "reason", "author", "at", "review"]

    def get_review(self, revision: TargetRevision) -> int | None:
        review = getattr(revision, "review", None)
        return review.pk if review else None


class VisionSerializer(serializers.ModelSerializer):
    ends_on = serializers.DateField(
        validators=[validate_planning_years],
        required=False,
        help_text="Defaults to nine months after starts_on.",
    )
    status = serializers.CharField(read_only=True)
    achieved = serializers.SerializerMethodField(help_text="Every criterion met (computed).")
    current_period = serializers.SerializerMethodField()
    periods = serializers.SerializerMethodField()
    criteria = CriterionSerializer(many=True, read_only=True)
    targets = TargetSerializer(many=True, read_only=True)

    class Meta:
        model = Vision
        fields = [
            "id",
            "title",
            "problem",
            "starts_on",
            "ends_on",
            "status",
            "achieved",
            "achieved_at",
            "current_period",
            "periods",
            "criteria",
            "targets",
        ]
        read_only_fields = ["id", "achieved_at"]
        extra_kwargs = {"title": {"max_length": TITLE_MAX_LENGTH}}

    def get_achieved(self, vision: Vision) -> bool:
        return vision.achieved_by(list(vision.criteria.all()))

    @extend_schema_field(PeriodSerializer(allow_null=True))
    def get_current_period(self, vision: Vision) -> dict[str, Any] | None:
        period = vision.period_on(selectors.team_today(vision.team))
        return PeriodSerializer(period).data if period else None

    @extend_schema_field(PeriodSerializer(many=True))
    def get_periods(self, vision: Vision) -> list[dict[str, Any]]:
        return list(PeriodSerializer(vision.periods, many=True).data)


class VisionUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH, required=False)
    problem = serializers.CharField(required=False)
    starts_on = serializers.DateField(validators=[validate_planning_years], required=False)
    ends_on = serializers.DateField(validators=[validate_planning_years], required=False)
    status = serializers.ChoiceField(
        choices=[VisionStatus.ABANDONED],
        required=False,
        help_text="Only `abandoned`: achieved follows the criteria, never typed in.",
    )
    reason = serializers.CharField(required=False, allow_blank=True, help_text=REASON_HELP)


class ReviewCriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    current_value = serializers.FloatField(allow_null=True)


class NextTargetSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True, help_text=REASON_HELP)


class AttendeeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="username", **kwargs)

    def get_queryset(self) -> QuerySet[User]:
        team = self.context["team"]
        return User.objects.filter(pk__in=Membership.objects.filter(team=team).values("user_id"))


class ReviewSerializer(serializers.ModelSerializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    attendees = AttendeeField(many=True, required=False)
    author: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    criteria = ReviewCriterionSerializer(
        many=True,
        write_only=True,
        required=False,
        help_text="Each criterion's current value at the review.",
    )
    next_target = NextTargetSerializer(
        write_only=True,
        required=False,
        help_text="The next period's target: new, or revised with a reason.",
    )
    next_target_revision: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    changes = serializers.SerializerMethodField(help_text="What changed since the last review.")

    class Meta:
        model = QuarterlyReview
        fields = [
            "id",
            "period",
            "held_on",
            "outcome",
            "evidence",
            "still_right_problem",
            "still_right_note",
            "notes",
            "attendees",
            "author",
            "criteria",
            "next_target",
            "next_target_revision",
            "snapshot",
            "changes",
            "created_at",
        ]
        read_only_fields = ["id", "period", "snapshot", "created_at"]

    def get_changes(self, review: QuarterlyReview) -> list[str]:
        return selectors.review_view(review).changes


class CriteriaTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = CriteriaToken
        fields = ["id", "label", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = ["id", "created_at", "last_used_at", "revoked_at"]


class CriteriaTokenCreatedSerializer(CriteriaTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="Shown only in this answer.")

    class Meta(CriteriaTokenSerializer.Meta):
        fields = [*CriteriaTokenSerializer.Meta.fields, "token"]


# --- Pipelines: Authorization: Bearer <criteria token> ------------------------------------------


class CriteriaTokenAuthentication(BaseAuthentication):
    """A pipeline posting measured values: `Authorization: Bearer <token>`. It acts as no
    person (request.user stays anonymous) and may only update this vision's criteria."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[AnonymousUser, CriteriaToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send `Authorization: Bearer <token>`.")
        token = selectors.criteria_token_lookup(parts[1].decode(errors="replace"))
        if token is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked criteria token.")
        return AnonymousUser(), token

    def authenticate_header(self, request: Request) -> str:
        return "Bearer"


class CriteriaTokenScheme(OpenApiAuthenticationExtension):
    target_class = CriteriaTokenAuthentication
    name = "criteriaToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "A vision's criteria token."}


# --- Views -----------------------------------------------------------------------------------


class VisionScopedMixin(TeamScopedMixin):
    """A viewset under `visions/<vision_id>/`: the vision must belong to the team (else 404)."""

    write_role = Role.LEAD

    @property
    def vision(self) -> Vision:
        if not hasattr(self, "_vision"):
            self._vision = get_object_or_404(
                Vision.objects.select_related("team"), team=self.team, pk=self.kwargs["vision_id"]
            )
        return self._vision


def _vision_queryset(team_scope: QuerySet[Vision]) -> QuerySet[Vision]:
    return team_scope.select_related("team").prefetch_related(
        Prefetch("criteria", queryset=DoneCriterion.objects.order_by("position", "pk")),
        Prefetch(
            "targets",
            queryset=Target.objects.select_related("vision")
            .annotate(revision_count=Count("revisions"))
            .order_by("period"),
        ),
    )


@extend_schema(tags=["vision"])
class VisionViewSet(
    TeamScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The team's visions, newest first. One is active at a time (409
    `active_vision_exists`); changing the problem or the dates needs a reason."""

    serializer_class = VisionSerializer
    write_role = Role.LEAD
    lookup_url_kwarg = "vision_id"

    def get_queryset(self) -> QuerySet[Vision]:
        return _vision_queryset(selectors.visions(self.team))

    @extend_schema(
        responses={201: VisionSerializer, 409: conflict(RuleCode.ACTIVE_VISION_EXISTS)},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = VisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        vision = services.vision_create(
            team=self.team,
            actor=request_user(request),
            title=data["title"],
            problem=data["problem"],
            starts_on=data["starts_on"],
            ends_on=data.get("ends_on"),
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=vision.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=VisionUpdateSerializer,
        responses={
            200: VisionSerializer,
            409: CHANGE_REFUSED,
        },
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        vision = self.get_object()
        serializer = VisionUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reason = data.pop("reason", "")
        abandon = data.pop("status", None)
        actor = request_user(request)
        if data:
            services.vision_update(vision=vision, actor=actor, fields=data, reason=reason)
        if abandon:
            services.vision_abandon(vision=vision, actor=actor, reason=reason)
        return Response(self.get_serializer(self.get_queryset().get(pk=vision.pk)).data)

    @extend_schema(responses={200: VisionSerializer, 404: None})
    @action(detail=False, methods=["get"])
    def current(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The active vision with its criteria, `achieved`, targets and current period;
        404 when the team has none."""
        vision = get_object_or_404(self.get_queryset(), status=VisionStatus.ACTIVE)
        return Response(self.get_serializer(vision).data)


@extend_schema(tags=["vision"])
class CriterionViewSet(
    VisionScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The vision's definition of done. Leads add criteria; members (or a pipeline with the
    vision's criteria token, `Authorization: Bearer <token>`) update a current value, which
    is kept in the criterion's history."""

    serializer_class = CriterionWithHistorySerializer
    lookup_url_kwarg = "criterion_id"
    authentication_classes = [
        CriteriaTokenAuthentication,
        *viewsets.GenericViewSet.authentication_classes,
    ]

    def get_permissions(self) -> list[Any]:
        if isinstance(self.request.auth, CriteriaToken):
            return []  # the token was checked in initial(), for this vision only
        return list(super().get_permissions())

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        token = request.auth if isinstance(request.auth, CriteriaToken) else None
        if token is None:
            # Members update values; adding a criterion changes the definition: leads.
            self.write_role = Role.MEMBER if self.action == "partial_update" else Role.LEAD
            super().initial(request, *args, **kwargs)
            return
        viewsets.GenericViewSet.initial(self, request, *args, **kwargs)
        same_vision = token.vision.team.slug == kwargs["team_slug"] and str(token.vision_id) == str(
            kwargs["vision_id"]
        )
        if not same_vision:
            raise exceptions.NotFound()
        if self.action != "partial_update":
            raise exceptions.PermissionDenied("A criteria token may only post values.")
        self.team_access = TeamAccess(team=token.vision.team, role=Role.MEMBER)

    def get_queryset(self) -> QuerySet[DoneCriterion]:
        return selectors.criteria(self.vision)

    @extend_schema(request=CriterionSerializer, responses={201: CriterionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = CriterionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        criterion = services.criterion_add(
            vision=self.vision, actor=request_user(request), **serializer.validated_data
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=criterion.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=CriterionValueUpdateSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        criterion = self.get_object()
        serializer = CriterionValueUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = request.auth if isinstance(request.auth, CriteriaToken) else None
        services.criterion_update_value(
            criterion=criterion,
            value=serializer.validated_data["current_value"],
            actor=None if token else request_user(request),
            token=token,
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=criterion.pk)).data)


@extend_schema(tags=["vision"])
class VisionTargetViewSet(
    VisionScopedMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The vision's three-month targets, one per period. Creating one is its first revision."""

    serializer_class = TargetSerializer

    def get_queryset(self) -> QuerySet[Target]:
        return selectors.targets(self.vision).select_related("vision")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = TargetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        target = services.target_create(
            vision=self.vision,
            actor=request_user(request),
            period=data["period"],
            text=data["text"],
            reason=data.get("reason", ""),
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=target.pk)).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["vision"])
class TargetViewSet(TeamScopedMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One target. Changing its text needs a reason (409 `reason_required`) and appends a
    revision; revisions are never edited or deleted."""

    serializer_class = TargetSerializer
    write_role = Role.LEAD
    lookup_url_kwarg = "target_id"

    def get_queryset(self) -> QuerySet[Target]:
        return (
            Target.objects.filter(vision__team=self.team)
            .select_related("vision")
            .annotate(revision_count=Count("revisions"))
        )

    @extend_schema(
        request=TargetUpdateSerializer,
        responses={
            200: TargetSerializer,
            409: CHANGE_REFUSED,
        },
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        target = self.get_object()
        serializer = TargetUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.target_revise(
            target=target,
            actor=request_user(request),
            text=serializer.validated_data["text"],
            reason=serializer.validated_data.get("reason", ""),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=target.pk)).data)

    @extend_schema(responses=TargetRevisionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def revisions(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Every version of the target, oldest first (the first is its creation)."""
        target = self.get_object()
        revisions = selectors.target_revisions(target).select_related("review")
        page = self.paginate_queryset(revisions)
        data = TargetRevisionSerializer(page, many=True).data
        return self.get_paginated_response(data)


@extend_schema(tags=["vision"])
class ReviewViewSet(
    VisionScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The vision's quarterly reviews. Recording one (leads) saves the criteria values, the
    outcome, the decision on the direction and the next target in one transaction, with a
    snapshot; a review is never edited or deleted."""

    serializer_class = ReviewSerializer
    lookup_url_kwarg = "review_id"

    def get_queryset(self) -> QuerySet[QuarterlyReview]:
        return selectors.reviews(self.vision)

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if hasattr(self, "team_access"):
            context["team"] = self.team
        return context

    @extend_schema(
        responses={
            201: ReviewSerializer,
            409: CHANGE_REFUSED,
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        next_target = data.get("next_target") or {}
        review = services.review_record(
            vision=self.vision,
            actor=request_user(request),
            held_on=data["held_on"],
            outcome=data["outcome"],
            evidence=data["evidence"],
            still_right_problem=data["still_right_problem"],
            still_right_note=data.get("still_right_note", ""),
            notes=data.get("notes", ""),
            attendees=data.get("attendees", []),
            criteria_values={c["id"]: c["current_value"] for c in data.get("criteria", [])},
            next_target_text=next_target.get("text", ""),
            next_target_reason=next_target.get("reason", ""),
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=review.pk)).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["vision"])
class CriteriaTokenViewSet(
    VisionScopedMixin,
    mixins.ListModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Tokens with which pipelines post the vision's criteria values (leads only). The token
    itself is shown once, in the answer to its creation; DELETE revokes it."""

    serializer_class = CriteriaTokenSerializer
    read_role = Role.LEAD
    lookup_url_kwarg = "token_id"

    def get_queryset(self) -> QuerySet[CriteriaToken]:
        return CriteriaToken.objects.filter(vision=self.vision)

    @extend_schema(request=CriteriaTokenSerializer, responses={201: CriteriaTokenCreatedSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = CriteriaTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, secret = services.criteria_token_create(
            vision=self.vision,
            actor=request_user(request),
            label=serializer.validated_data["label"],
        )
        data = dict(CriteriaTokenSerializer(token).data, token=secret)
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: CriteriaToken) -> None:
        services.criteria_token_revoke(token=instance)

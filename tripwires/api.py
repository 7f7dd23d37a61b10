"""REST API for tripwires, their observations (posted by pipelines with an ingest token),
events, ingest tokens, alert settings and neutral tests. Thin: serializers validate, services
decide."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import authentication, exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import conflict
from core.limits import max_length_of
from core.rules import RuleCode
from core.times import validate_planning_years
from teams.authentication import ApiTokenAuthentication
from teams.models import Role
from teams.permissions import TeamScopedMixin, request_user, team_access

from . import ingest, neutral, selectors, services
from .models import (
    AlertSettings,
    AlertSubscription,
    IngestToken,
    NeutralTest,
    Observation,
    Tripwire,
    TripwireEvent,
)

# --- Tripwires --------------------------------------------------------------------------------


class TripwireSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    reference_gap = serializers.FloatField(
        required=False,
        allow_null=True,
        help_text="Pinned reference gap; leave out to learn it from the first observations.",
    )
    reference_gap_pinned = serializers.SerializerMethodField()
    noise = serializers.FloatField(source="assessed_noise", read_only=True, allow_null=True)
    sentence = serializers.SerializerMethodField()

    class Meta:
        model = Tripwire
        fields = [
            "id",
            "name",
            "metric",
            "unit",
            "higher_is_better",
            "production_label",
            "baseline_label",
            "reference_gap",
            "reference_gap_pinned",
            "reference_window",
            "tolerance",
            "expected_interval_hours",
            "status",
            "cause",
            "noise",
            "current_gap",
            "change_point",
            "last_observation_at",
            "observation_count",
            "muted_until",
            "mute_reason",
            "sentence",
        ]
        read_only_fields = [
            "cause",
            "current_gap",
            "change_point",
            "last_observation_at",
            "observation_count",
            "muted_until",
            "mute_reason",
        ]

    def get_status(self, tripwire: Tripwire) -> str:
        return tripwire.status_at(self.context["now"])

    def get_reference_gap_pinned(self, tripwire: Tripwire) -> bool:
        return tripwire.reference_gap is not None

    def get_sentence(self, tripwire: Tripwire) -> str:
        from .words import status_sentence

        return status_sentence(
            tripwire, tripwire.status_at(self.context["now"]), self.context["now"]
        )

    def to_representation(self, instance: Tripwire) -> dict[str, Any]:
        data = super().to_representation(instance)
        # The gap in force: pinned, or learned (null while learning).
        data["reference_gap"] = instance.assessed_reference_gap
        if instance.reference_gap is not None:
            data["reference_gap"] = instance.reference_gap
        return data


class TripwireEditSerializer(TripwireSerializer):
    reason = serializers.CharField(write_only=True, help_text="Why it changes (kept in the log).")

    class Meta(TripwireSerializer.Meta):
        fields = [*TripwireSerializer.Meta.fields, "reason"]


class MuteSerializer(serializers.Serializer):
    until = serializers.DateTimeField(
        validators=[validate_planning_years],
    )
    reason = serializers.CharField(max_length=max_length_of(Tripwire, "mute_reason"))


class EventSerializer(serializers.ModelSerializer):
    actor: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = TripwireEvent
        fields = ["id", "kind", "at", "actor", "reason", "changes"]


class IngestTokenSerializer(serializers.ModelSerializer):
    created_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = IngestToken
        fields = ["id", "label", "created_by", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = ["created_at", "last_used_at", "revoked_at"]


class IssuedTokenSerializer(IngestTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="Shown only in this answer.")

    class Meta(IngestTokenSerializer.Meta):
        fields = [*IngestTokenSerializer.Meta.fields, "token"]


class TripwireViewSet(
    TeamScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Tripwires of a team: everyone in the team reads them, leads create and edit them."""

    serializer_class = TripwireSerializer
    write_role = Role.LEAD

    def get_queryset(self) -> QuerySet[Tripwire]:
        return selectors.tripwires_of(self.team)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": timezone.now()}

    def perform_create(self, serializer: serializers.BaseSerializer[Tripwire]) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = services.tripwire_create(
            team=self.team, actor=request_user(self.request), **data
        )

    @extend_schema(
        request=TripwireEditSerializer,
        responses={200: TripwireSerializer, 409: conflict(RuleCode.REASON_REQUIRED)},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        tripwire = self.get_object()
        serializer = TripwireEditSerializer(
            tripwire, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        reason = changes.pop("reason", "")
        tripwire = services.tripwire_edit(
            tripwire=tripwire, actor=request_user(request), reason=reason, **changes
        )
        return Response(self.get_serializer(tripwire).data)

    @extend_schema(
        request=MuteSerializer,
        responses={200: TripwireSerializer, 409: conflict(RuleCode.REASON_REQUIRED)},
    )
    @action(detail=True, methods=["post"])
    def mute(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = MuteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tripwire = services.tripwire_mute(
            tripwire=self.get_object(), actor=request_user(request), **serializer.validated_data
        )
        return Response(self.get_serializer(tripwire).data)

    @extend_schema(request=None, responses={200: TripwireSerializer})
    @action(detail=True, methods=["post"])
    def unmute(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        tripwire = services.tripwire_unmute(tripwire=self.get_object(), actor=request_user(request))
        return Response(self.get_serializer(tripwire).data)

    @extend_schema(responses={200: EventSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def events(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(selectors.events_of(self.get_object()))
        return self.get_paginated_response(EventSerializer(page, many=True).data)


class IngestTokenViewSet(
    TeamScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A tripwire's ingest tokens (leads only): issue one (its secret is shown once), list them
    with their last use, revoke one."""

    serializer_class = IngestTokenSerializer
    read_role = Role.LEAD
    write_role = Role.LEAD

    def tripwire(self) -> Tripwire:
        return get_object_or_404(selectors.tripwires_of(self.team), pk=self.kwargs["tripwire_pk"])

    def get_queryset(self) -> QuerySet[IngestToken]:
        return IngestToken.objects.filter(tripwire=self.tripwire()).select_related("created_by")

    @extend_schema(request=IngestTokenSerializer, responses={201: IssuedTokenSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = IngestTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, secret = services.ingest_token_issue(
            tripwire=self.tripwire(),
            actor=request_user(request),
            label=serializer.validated_data.get("label", ""),
        )
        data = {**IngestTokenSerializer(token).data, "token": secret}
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: IngestToken) -> None:
        services.ingest_token_revoke(token=instance, actor=request_user(self.request))


# --- Observations -----------------------------------------------------------------------------


class IngestTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <ingest token>`: the pipeline, not a person. It authenticates
    nobody (request.user stays anonymous) so it can reach nothing that needs a person; the
    observations endpoint checks that the token belongs to the tripwire in the URL."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[AnonymousUser, IngestToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send Authorization: Bearer <ingest token>.")
        try:
            secret = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("That is not an ingest token.") from exc
        token = IngestToken.objects.for_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked ingest token.")
        return AnonymousUser(), token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class IngestTokenScheme(OpenApiAuthenticationExtension):
    target_class = "tripwires.api.IngestTokenAuthentication"
    name = "IngestToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A tripwire's ingest token: posts observations to that tripwire only.",
        }


class ObservationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Observation
        fields = ["at", "production", "baseline", "key"]


class ObservationBatchSerializer(serializers.Serializer):
    observations = ObservationSerializer(many=True, help_text="Up to 1,000 points.")


INGEST_RESULT = inline_serializer(
    "IngestResult",
    {
        "stored": serializers.IntegerField(help_text="Points stored by this batch."),
        "duplicates": serializers.IntegerField(help_text="Points whose key was already held."),
        "status": serializers.CharField(help_text="The tripwire's status after the batch."),
    },
)
BAD_BATCH = inline_serializer(
    "BadBatch",
    {
        "detail": serializers.CharField(help_text="Which point is wrong and why."),
        "index": serializers.IntegerField(allow_null=True),
    },
)


class ObservationsView(TeamScopedMixin, APIView):
    """`POST`: a pipeline reports one point or a batch of up to 1,000 with its ingest token
    (`Authorization: Bearer ...`); a bad batch stores nothing; a retried one stores nothing
    twice and gets the same answer. `GET`: the team reads the observations."""

    authentication_classes = [
        IngestTokenAuthentication,
        authentication.SessionAuthentication,
        ApiTokenAuthentication,
    ]
    permission_classes = [AllowAny]  # POST: the ingest token; GET: team_access below

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        APIView.initial(self, request, *args, **kwargs)
        if request.method == "POST":
            return  # the pipeline is no team member: post() checks its token instead
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        self.team_access = team_access(request.user, self.kwargs["team_slug"])

    @extend_schema(
        request=PolymorphicProxySerializer(
            component_name="ObservationPost",
            serializers=[ObservationSerializer, ObservationBatchSerializer],
            resource_type_field_name=None,
        ),
        responses={201: INGEST_RESULT, 400: OpenApiResponse(BAD_BATCH)},
        description=__doc__,
    )
    def post(self, request: Request, team_slug: str, pk: int) -> Response:
        token = request.auth
        if not isinstance(token, IngestToken):
            raise exceptions.NotAuthenticated(
                "Post observations with Authorization: Bearer <ingest token>."
            )
        if (
            token.tripwire_id != int(pk)
            or not Tripwire.objects.filter(pk=pk, team__slug=team_slug).exists()
        ):
            raise exceptions.PermissionDenied("This ingest token posts to another tripwire.")
        try:
            # Read the body ourselves: NaN and Infinity must reach the validator, which names
            # the point, instead of failing the whole body with a parser error.
            body = json.loads(request._request.body or b"null")
            points, digest = ingest.parse(body)
        except (ValueError, RecursionError) as exc:
            message = exc.message if isinstance(exc, ingest.BatchError) else None
            index = exc.index if isinstance(exc, ingest.BatchError) else None
            return Response(
                {"detail": message or "The body is not JSON.", "index": index},
                status=status.HTTP_400_BAD_REQUEST,
            )
        result = services.observations_ingest(
            tripwire_id=token.tripwire_id, points=points, digest=digest
        )
        token.mark_used()
        return Response(result, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: ObservationSerializer(many=True)})
    def get(self, request: Request, team_slug: str, pk: int) -> Response:
        tripwire = get_object_or_404(selectors.tripwires_of(self.team), pk=pk)
        rows = selectors.observations_of(tripwire)
        paginator = self.paginator_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(ObservationSerializer(page, many=True).data)

    @property
    def paginator_class(self) -> Any:
        from rest_framework.settings import api_settings

        return api_settings.DEFAULT_PAGINATION_CLASS


# --- Alerts -----------------------------------------------------------------------------------


class AlertSettingsSerializer(serializers.Serializer):
    webhook_url = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=max_length_of(AlertSettings, "webhook_url"),
        help_text="Leads only.",
    )
    following = serializers.BooleanField(
        required=False, help_text="Whether you get tripwire emails (leads always do)."
    )


class AlertSettingsView(TeamScopedMixin, APIView):
    """Where this team's alarms go: the webhook (leads set it) and whether you follow them by
    email (anyone in the team)."""

    write_role = Role.VIEWER

    def _answer(self, request: Request) -> Response:
        alerts = AlertSettings.objects.filter(team=self.team).first()
        following = (
            self.team_access.is_lead
            or AlertSubscription.objects.filter(team=self.team, user=request_user(request)).exists()
        )
        return Response(
            {
                "webhook_url": alerts.webhook_url if alerts and self.team_access.is_lead else "",
                "following": following,
            }
        )

    @extend_schema(responses={200: AlertSettingsSerializer})
    def get(self, request: Request, team_slug: str) -> Response:
        return self._answer(request)

    @extend_schema(request=AlertSettingsSerializer, responses={200: AlertSettingsSerializer})
    def patch(self, request: Request, team_slug: str) -> Response:
        serializer = AlertSettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "webhook_url" in data:
            if not self.team_access.is_lead:
                raise exceptions.PermissionDenied("Only a lead sets the team's webhook.")
            services.alert_settings_update(team=self.team, webhook_url=data["webhook_url"])
        if "following" in data:
            services.alert_subscription_set(
                team=self.team, user=request_user(request), follow=data["following"]
            )
        return self._answer(request)


# --- Neutral tests ----------------------------------------------------------------------------


class ArmSerializer(serializers.Serializer):
    successes = serializers.IntegerField(required=False, min_value=0)
    trials = serializers.IntegerField(required=False, min_value=1)
    mean = serializers.FloatField(required=False)
    sd = serializers.FloatField(required=False, min_value=0)
    n = serializers.IntegerField(required=False, min_value=2)

    def validate(self, attrs: dict[str, Any]) -> neutral.Arm:
        proportion = {"successes", "trials"} <= attrs.keys()
        mean = {"mean", "sd", "n"} <= attrs.keys()
        if proportion == mean:
            raise serializers.ValidationError(
                'Give an arm as {"successes", "trials"} or as {"mean", "sd", "n"}.'
            )
        if proportion:
            if attrs["successes"] > attrs["trials"]:
                raise serializers.ValidationError("Successes cannot exceed trials.")
            return neutral.Proportion(attrs["successes"], attrs["trials"])
        return neutral.Mean(attrs["mean"], attrs["sd"], attrs["n"])


class NeutralTestSerializer(serializers.ModelSerializer):
    a = ArmSerializer(write_only=True)
    b = ArmSerializer(write_only=True)
    arms = serializers.SerializerMethodField()
    interval = serializers.SerializerMethodField()
    sentence = serializers.CharField(read_only=True)
    finding_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = NeutralTest
        fields = [
            "id",
            "name",
            "neutralised",
            "a",
            "b",
            "kind",
            "arms",
            "difference",
            "interval",
            "p_value",
            "verdict",
            "sentence",
            "finding",
            "finding_by",
            "finding_at",
            "created_at",
        ]
        read_only_fields = ["kind", "difference", "p_value", "verdict", "finding", "finding_at"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_arms(self, test: NeutralTest) -> dict[str, dict[str, float | int | None]]:
        if test.kind == "proportions":
            return {
                "a": {"successes": test.a_successes, "trials": test.a_trials},
                "b": {"successes": test.b_successes, "trials": test.b_trials},
            }
        return {
            "a": {"mean": test.a_mean, "sd": test.a_sd, "n": test.a_n},
            "b": {"mean": test.b_mean, "sd": test.b_sd, "n": test.b_n},
        }

    @extend_schema_field(serializers.ListField(child=serializers.FloatField()))
    def get_interval(self, test: NeutralTest) -> list[float]:
        return [test.interval_low, test.interval_high]


class FindingSerializer(serializers.Serializer):
    finding = serializers.CharField(max_length=max_length_of(NeutralTest, "finding"))


class NeutralTestViewSet(
    TeamScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """A team's neutral (A/A) tests: members record them and what they found."""

    serializer_class = NeutralTestSerializer

    def get_queryset(self) -> QuerySet[NeutralTest]:
        return selectors.neutral_tests_of(self.team)

    def perform_create(self, serializer: serializers.BaseSerializer[NeutralTest]) -> None:
        data = serializer.validated_data
        serializer.instance = services.neutral_test_record(
            team=self.team,
            actor=request_user(self.request),
            name=data["name"],
            neutralised=data["neutralised"],
            a=data["a"],
            b=data["b"],
        )

    @extend_schema(request=FindingSerializer, responses={200: NeutralTestSerializer})
    @action(detail=True, methods=["post"])
    def finding(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = FindingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        test = services.neutral_test_record_finding(
            test=self.get_object(),
            actor=request_user(request),
            finding=serializer.validated_data["finding"],
        )
        return Response(self.get_serializer(test).data)

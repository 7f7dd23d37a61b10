"""REST API for people, teams and memberships."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import conflict
from core.rules import RuleCode

from . import selectors, services
from .models import Invitation, Membership, Role, Team, display_name
from .permissions import TeamScopedMixin, request_user, team_access
from .timezones import validate_timezone

# --- me/ -------------------------------------------------------------------------------------


class TimezoneField(serializers.CharField):
    """An IANA zone name; null or "" means "the team's"."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_null=True, allow_blank=True, required=False, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data) if data is not None else ""
        if value:
            try:
                validate_timezone(value)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from exc
        return value

    def to_representation(self, value: str) -> str | None:  # type: ignore[override]
        return value or None


class MeSerializer(serializers.Serializer):
    username = serializers.CharField(read_only=True)
    timezone = TimezoneField()
    workday_start = serializers.TimeField(allow_null=True, required=False)
    workday_end = serializers.TimeField(allow_null=True, required=False)
    lunch_start = serializers.TimeField(allow_null=True, required=False)
    lunch_end = serializers.TimeField(allow_null=True, required=False)
    receive_invitations = serializers.BooleanField(
        required=False, help_text="False: no meeting invitations by email (feeds still work)."
    )

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["username"] = instance.user.username
        return data


class MeView(generics.GenericAPIView):
    serializer_class = MeSerializer

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(services.profile_for(request_user(request))).data)

    @extend_schema(request=MeSerializer, responses=MeSerializer)
    def patch(self, request: Request) -> Response:
        serializer = MeSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        profile = services.profile_update(
            user=request_user(request),
            fields=set(serializer.validated_data),
            **serializer.validated_data,
        )
        return Response(MeSerializer(profile).data)


# --- teams/ ----------------------------------------------------------------------------------


class TeamSerializer(serializers.ModelSerializer):
    role = serializers.CharField(source="my_role", read_only=True, help_text="Your role.")
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Team
        fields = ["slug", "name", "timezone", "focus_cap", "role", "member_count"]
        extra_kwargs = {"timezone": {"required": False}, "focus_cap": {"required": False}}


class TeamUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["name", "timezone", "focus_cap"]


@extend_schema(tags=["teams"])
class TeamViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Your teams. Creating one makes you its lead; leads change name, timezone and cap."""

    serializer_class = TeamSerializer
    lookup_field = "slug"
    lookup_url_kwarg = "team_slug"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.teams_for_user(request_user(self.request))

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        team = services.team_create(creator=request_user(self.request), **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=team.pk)

    @extend_schema(
        request=TeamUpdateSerializer,
        responses={200: TeamSerializer, 409: conflict(RuleCode.CAP_BELOW_ACTIVE)},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        access = team_access(request.user, kwargs["team_slug"], min_role=Role.LEAD)
        serializer = TeamUpdateSerializer(access.team, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.team_update(team=access.team, **serializer.validated_data)
        return Response(TeamSerializer(self.get_queryset().get(pk=access.team.pk)).data)


# --- teams/<slug>/members/ -----------------------------------------------------------------


class MemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    name = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["username", "name", "role"]

    def get_name(self, membership: Membership) -> str:
        return display_name(membership.user)


class MemberInvitedSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    invitation = serializers.IntegerField(help_text="The invitation's id (revocable).")
    detail = serializers.CharField()


class MemberRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


@extend_schema(tags=["teams"])
class MemberViewSet(
    TeamScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A team's members and their roles; leads add, change and remove them."""

    serializer_class = MemberSerializer
    write_role = Role.LEAD
    lookup_field = "user__username"
    lookup_url_kwarg = "username"
    lookup_value_regex = r"[\w.@+-]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.team_members(self.team)

    @extend_schema(
        request=MemberSerializer,
        responses={201: MemberSerializer, 202: MemberInvitedSerializer},
        description="Staff add the person at once (201). Other leads get an invitation the "
        "person finds on their home page (202), the same answer whether or not the username "
        "exists, so nobody learns from it who has an account.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = MemberSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = serializer.validated_data["user"]["username"]
        role = serializer.validated_data.get("role", Role.MEMBER)
        user = request_user(request)
        if user.is_staff:
            membership = services.membership_add(team=self.team, username=username, role=role)
            return Response(MemberSerializer(membership).data, status=status.HTTP_201_CREATED)
        if Membership.objects.filter(team=self.team, user__username=username).exists():
            raise DjangoValidationError(
                {"username": [f"{username} is already a member of {self.team.name}."]}
            )
        issued = services.invitation_create(
            team=self.team,
            invited_by=user,
            role=role,
            username=username,
            url_for=lambda secret: request.build_absolute_uri(reverse("invitation", args=[secret])),
        )
        body = {
            "username": username,
            "role": role,
            "invitation": issued.invitation.pk,
            "detail": services.invited_by_username_sentence(username),
        }
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=MemberRoleSerializer,
        responses={200: MemberSerializer, 409: conflict(RuleCode.LAST_LEAD)},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        membership = self.get_object()
        serializer = MemberRoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.membership_change_role(
            team=self.team,
            username=membership.user.username,
            role=serializer.validated_data["role"],
        )
        return Response(MemberSerializer(membership).data)

    @extend_schema(
        responses={204: None, 409: conflict(RuleCode.LAST_LEAD)},
        description="Remove a member. The inverse is adding them again (POST to the list: "
        "staff at once, other leads by an invitation); the settings page also offers a "
        "short-lived Undo.",
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        membership = self.get_object()
        services.membership_remove(team=self.team, username=membership.user.username)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- teams/<slug>/invitations/ -------------------------------------------------------------


class InvitationSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False, default=Role.MEMBER)
    email = serializers.EmailField(
        required=False, allow_blank=True, help_text="Without it the invitation is a link."
    )
    invited_by = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "role", "email", "username", "invited_by", "created_at", "expires_at"]
        read_only_fields = ["id", "username", "invited_by", "created_at", "expires_at"]

    def get_invited_by(self, invitation: Invitation) -> str | None:
        return invitation.invited_by.username if invitation.invited_by else None


class InvitationIssuedSerializer(InvitationSerializer):
    url = serializers.CharField(read_only=True, help_text="Shown only in this answer.")

    class Meta(InvitationSerializer.Meta):
        fields = [*InvitationSerializer.Meta.fields, "url"]


@extend_schema(tags=["teams"])
class InvitationViewSet(
    TeamScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Invitations into the team (leads): a link to share, or sent to an email address.
    Single use, they expire, and DELETE revokes one. GET lists the pending ones."""

    serializer_class = InvitationSerializer
    read_role = Role.LEAD
    write_role = Role.LEAD

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.pending_invitations(self.team)

    @extend_schema(request=InvitationSerializer, responses={201: InvitationIssuedSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = InvitationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        issued = services.invitation_create(
            team=self.team,
            invited_by=request_user(request),
            role=serializer.validated_data["role"],
            email=serializer.validated_data.get("email", ""),
            url_for=lambda secret: request.build_absolute_uri(reverse("invitation", args=[secret])),
        )
        data = dict(InvitationSerializer(issued.invitation).data)
        data["url"] = issued.url
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Invitation) -> None:
        services.invitation_revoke(invitation=instance)

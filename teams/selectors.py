from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone

from .models import Invitation, Membership, Team


def teams_for_user(user: User) -> QuerySet[Team]:
    """The user's teams, each annotated with `my_role` and `member_count` (one query)."""
    my_role = Membership.objects.filter(team=OuterRef("pk"), user=user).values("role")[:1]
    member_count = (
        Membership.objects.filter(team=OuterRef("pk"))
        .order_by()
        .values("team")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Team.objects.filter(memberships__user=user)
        .annotate(my_role=Subquery(my_role), member_count=Subquery(member_count))
        .order_by("name", "slug")
    )


def team_members(team: Team) -> QuerySet[Membership]:
    return Membership.objects.filter(team=team).select_related("user").order_by("user__username")


def invitations_for_username(username: str) -> QuerySet[Invitation]:
    """Open invitations a lead made out to this username (shown on the person's home page)."""
    return Invitation.objects.filter(
        username=username,
        revoked_at__isnull=True,
        used_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("team", "invited_by")


def pending_invitations(team: Team) -> QuerySet[Invitation]:
    """The team's invitations that can still be used, newest first."""
    return Invitation.objects.filter(
        team=team, revoked_at__isnull=True, used_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by")

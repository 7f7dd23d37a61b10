"""Team scoping: the one way every view and API endpoint fetches a team for a person.

Non-members get 404 (a team's existence is not leaked); members whose role is too low get 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django_htmx.middleware import HtmxDetails
from rest_framework.request import Request

from .models import ROLE_RANK, Membership, Role, Team


class AuthedRequest(HttpRequest):
    """An HttpRequest behind login_required: `user` is a real user (and django-htmx's
    middleware has set `htmx`)."""

    user: User
    htmx: HtmxDetails


@dataclass(frozen=True)
class TeamAccess:
    team: Team
    role: Role

    @property
    def can_edit(self) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[Role.MEMBER]

    @property
    def is_lead(self) -> bool:
        return self.role == Role.LEAD


def team_access(
    user: User | AnonymousUser, slug: str, *, min_role: Role = Role.VIEWER
) -> TeamAccess:
    if not user.is_authenticated:
        raise Http404("No such team.")
    # get(), not first(): one row at most (unique per team and user), and no ORDER BY over
    # Membership's and Team's orderings, which cost more than the rest of a wall poll.
    try:
        membership = Membership.objects.select_related("team").get(team__slug=slug, user=user)
    except Membership.DoesNotExist:
        raise Http404("No such team.") from None
    role = Role(membership.role)
    if ROLE_RANK[role] < ROLE_RANK[min_role]:
        raise PermissionDenied(
            f"Your role in {membership.team.name} is {role.label.lower()}; "
            f"this needs {min_role.label.lower()}."
        )
    return TeamAccess(team=membership.team, role=role)


def request_user(request: Request) -> User:
    """The authenticated user (every endpoint requires authentication by default)."""
    return cast(User, request.user)


class TeamScopedMixin:
    """Resolve `team_slug` from the URL for the request's user before anything else runs.

    Non-members get 404, members below `read_role` / `write_role` get 403. DRF's object
    permissions do not apply to list and create, so this runs in `initial()` for all of them.
    """

    read_role: Role = Role.VIEWER
    write_role: Role = Role.MEMBER
    team_access: TeamAccess
    kwargs: dict[str, Any]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]  # authenticates
        safe = request.method in ("GET", "HEAD", "OPTIONS")
        self.team_access = team_access(
            request.user,
            self.kwargs["team_slug"],
            min_role=self.read_role if safe else self.write_role,
        )

    @property
    def team(self) -> Team:
        return self.team_access.team

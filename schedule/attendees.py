"""Who is invited: usernames -> this team's memberships, with the one set of sentences for
what can be wrong with a list of attendees (proposals and bookings alike)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError

from teams.models import Membership, Team, display_name


def attendee_choices(memberships: Iterable[Membership]) -> list[tuple[str, str]]:
    """(username, the name people see) for each member: forms send usernames, people read
    names."""
    return [(m.user.username, display_name(m.user)) for m in memberships]


def resolve_attendees(
    team: Team, required: Sequence[str], optional: Sequence[str]
) -> tuple[list[Membership], list[Membership]]:
    """Required and optional usernames -> memberships of this team (with user and profile,
    in one query), or a ValidationError naming each problem by field."""
    errors: dict[str, list[str]] = {}
    required = list(dict.fromkeys(required))
    optional = list(dict.fromkeys(optional))
    if not required:
        errors["attendees"] = ["Invite at least one required attendee."]
    both = sorted(set(required) & set(optional))
    if both:
        errors["optional_attendees"] = [f"{', '.join(both)} cannot be both required and optional."]
    memberships = {
        m.user.username: m
        for m in Membership.objects.filter(
            team=team, user__username__in=[*required, *optional]
        ).select_related("user", "user__profile")
    }
    for name, usernames in (("attendees", required), ("optional_attendees", optional)):
        strangers = [u for u in usernames if u not in memberships]
        if strangers:
            errors.setdefault(name, []).append(
                f"{', '.join(strangers)} {'is' if len(strangers) == 1 else 'are'} not "
                f"a member of {team.name}."
            )
    if errors:
        raise ValidationError(errors)
    return [memberships[u] for u in required], [memberships[u] for u in optional]

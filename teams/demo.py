"""The demo team and its people. Other apps add their data in their own `demo.py`
(a `seed(*, team, people, stdout)` function) which `seed_demo` calls in app order."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser

from .models import Membership, Role, Team
from .services import profile_for

DEMO_PASSWORD = "focusboard-demo"  # noqa: S105  (published on purpose: demo only)
DEMO_TEAM_SLUG = "demo"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    role: Role
    timezone: str


DEMO_PEOPLE = (
    DemoPerson("lena", "Lena", "Moreau", Role.LEAD, "Europe/Paris"),
    DemoPerson("sam", "Sam", "Okafor", Role.MEMBER, "Europe/London"),
    DemoPerson("priya", "Priya", "Raman", Role.MEMBER, "Europe/Paris"),
    DemoPerson("tom", "Tom", "Becker", Role.MEMBER, "America/New_York"),
    DemoPerson("vic", "Vic", "Laurent", Role.VIEWER, "Europe/Paris"),
)


def seed_people_and_team() -> tuple[Team, dict[str, AbstractUser]]:
    """Create the demo team and people that are missing; leave alone what people changed
    since (a password, a time zone, a role, a member removed from the team)."""
    user_model = get_user_model()
    team, team_created = Team.objects.get_or_create(
        slug=DEMO_TEAM_SLUG,
        defaults={"name": "Ranking Models", "timezone": "Europe/Paris", "focus_cap": 3},
    )
    people: dict[str, AbstractUser] = {}
    for person in DEMO_PEOPLE:
        user, created = user_model.objects.get_or_create(
            username=person.username,
            defaults={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": f"{person.username}@demo.focusboard.invalid",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            profile = profile_for(user)
            profile.timezone = person.timezone
            profile.save(update_fields=["timezone"])
        if created or team_created:
            Membership.objects.get_or_create(team=team, user=user, defaults={"role": person.role})
        people[person.username] = user
    return team, people

"""Seed the load test's throwaway database: the demo team plus TEAMS teams, each with two
editors (a lead and a member), a reader (viewer), three active and three parked topics, five
wall-screen addresses and a calendar-feed address. Writes what the simulated users need
(usernames, the shared password, the secrets) as JSON to the path given.

`--small` (the fault run): one team and no demo. Run by bench/loadtest/run.py and faults.py
with the load test's environment (DATABASE_URL, DJANGO_SETTINGS_MODULE=...loadtest).
"""

from __future__ import annotations

import json
import sys
from io import StringIO

import django

TEAMS = 10
SCREENS_PER_TEAM = 5
PASSWORD = "loadtest-only-password"  # a throwaway database, dropped after the run


def seed(*, teams_wanted: int = TEAMS, demo: bool = True) -> dict[str, object]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from focusboard.models import FocusStatus
    from focusboard.services import focus_item_add, kiosk_token_create
    from schedule.services import feed_token_create
    from teams.models import Role
    from teams.services import membership_add, team_create

    if demo:
        # The simulated people use the load teams only; on a badly overloaded machine the
        # demo's calendar import can hit its time limit, which must not stop the load test.
        try:
            call_command("seed_demo", force=True, verbosity=0, stdout=StringIO())
        except Exception as exc:
            print(f"the demo was not seeded ({exc}); the load teams are", file=sys.stderr)
    user_model = get_user_model()
    # One hash for every simulated person: hashing 31 passwords at production cost would
    # take longer than the seeding itself.
    hashed = make_password(PASSWORD)
    teams = []
    for n in range(1, teams_wanted + 1):
        lead, member, reader = (
            user_model.objects.create(username=f"load{n}{suffix}", password=hashed)
            for suffix in ("lead", "member", "reader")
        )
        team = team_create(
            creator=lead, slug=f"load-{n}", name=f"Load team {n}", timezone="Europe/Paris"
        )
        membership_add(team=team, username=member.username, role=Role.MEMBER)
        membership_add(team=team, username=reader.username, role=Role.VIEWER)
        for k in range(3):
            focus_item_add(team=team, actor=lead, title=f"Active topic {k + 1}", owner=member)
        for k in range(3):
            focus_item_add(
                team=team, actor=lead, title=f"Parked idea {k + 1}", status=FocusStatus.PARKED
            )
        screens = [
            kiosk_token_create(team=team, actor=lead, label=f"Screen {k + 1}")[1]
            for k in range(SCREENS_PER_TEAM)
        ]
        _, feed = feed_token_create(user=lead, scope="team", team=team)
        teams.append(
            {
                "slug": team.slug,
                "editors": [lead.username, member.username],
                "reader": reader.username,
                "screens": screens,
                "feed": feed,
            }
        )
    uploader = user_model.objects.create(username="loadhostile", password=hashed)
    membership_add(team=team, username=uploader.username, role=Role.MEMBER)
    return {"password": PASSWORD, "teams": teams, "hostile_uploader": uploader.username}


if __name__ == "__main__":
    django.setup()
    small = sys.argv[2:] == ["--small"]  # the fault run: one team, no demo
    data = seed(teams_wanted=1, demo=False) if small else seed()
    with open(sys.argv[1], "w") as out:
        json.dump(data, out)

"""Issue #14, finding 3: a username any auth backend can produce ("/", spaces, "@", unicode,
150 characters) never breaks a page, and the API's `members/<username>/` keeps working."""

from __future__ import annotations

from io import StringIO
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from milestones.models import Milestone
from teams.models import Membership, Role, Team
from tripwires.models import Tripwire

pytestmark = pytest.mark.django_db

HOSTILE = {
    "lena": "lena/admin",
    "sam": "sam smith",
    "priya": "priya@example.com",
    "tom": "tømås ünïcødé ✓",
    "vic": "v" * 149 + "/",
}


@pytest.fixture
def demo() -> Team:
    call_command("seed_demo", "--force", stdout=StringIO())
    for old, new in HOSTILE.items():
        User.objects.filter(username=old).update(username=new)
    return Team.objects.get(memberships__user__username="lena/admin")


def team_pages(team: Team) -> list[str]:
    t = f"/t/{team.slug}/"
    pages = [
        t,
        t + "history/",
        t + "focus.txt",
        t + "wall/",
        t + "wall/content/",
        t + "vision/",
        t + "reviews/",
        t + "milestones/",
        t + "non-negotiables/",
        t + "schedule/",
        t + "schedule/policy/",
        t + "tripwires/",
        "/",
        "/me/",
        "/me/calendars/",
        "/me/feeds/",
    ]
    pages += [f"{t}milestones/{pk}/" for pk in Milestone.objects.values_list("pk", flat=True)]
    pages += [f"{t}tripwires/{pk}/" for pk in Tripwire.objects.values_list("pk", flat=True)]
    return pages


@pytest.mark.parametrize("who", ["lena/admin", "sam smith", "tømås ünïcødé ✓"])
def test_every_page_that_shows_people_renders_for_any_username(demo: Team, who: str):
    client = Client()
    client.force_login(User.objects.get(username=who))
    pages = team_pages(demo)
    assert len(pages) > 20
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    if who == "lena/admin":  # the lead sees the members' forms in the team's settings
        response = client.get(f"/t/{demo.slug}/settings/")
        assert response.status_code == 200
        settings = response.content.decode()
        assert reverse("teams:member-change", args=[demo.slug, "lena/admin"]) in settings
        assert "sam%20smith" in settings


def test_the_lead_changes_a_role_of_a_person_with_a_slash_in_the_name(demo: Team):
    client = Client()
    client.force_login(User.objects.get(username="lena/admin"))
    url = reverse("teams:member-change", args=[demo.slug, "v" * 149 + "/"])
    response = client.post(url, {"role": Role.MEMBER})
    assert response.status_code in (200, 302)
    assert Membership.objects.get(team=demo, user__username="v" * 149 + "/").role == Role.MEMBER


def test_the_api_member_detail_takes_any_username_url_encoded(demo: Team):
    api = APIClient()
    api.force_authenticate(User.objects.get(username="lena/admin"))
    listed = api.get(f"/api/v1/teams/{demo.slug}/members/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert set(HOSTILE.values()) <= {row["username"] for row in rows}
    for username in HOSTILE.values():
        for path in (
            f"/api/v1/teams/{demo.slug}/members/{quote(username, safe='')}/",  # "/" as %2F
            reverse("api-member-detail", args=[demo.slug, username]),
        ):
            response = api.get(path)
            assert response.status_code == 200, (path, response.content[:200])
            assert response.json()["username"] == username
    path = reverse("api-member-detail", args=[demo.slug, "sam smith"])
    assert api.patch(path, {"role": Role.VIEWER}, format="json").status_code == 200
    assert Membership.objects.get(team=demo, user__username="sam smith").role == Role.VIEWER


def test_an_unknown_username_with_a_slash_is_a_404(demo: Team):
    api = APIClient()
    api.force_authenticate(User.objects.get(username="lena/admin"))
    assert api.get(f"/api/v1/teams/{demo.slug}/members/nobody/else/").status_code == 404

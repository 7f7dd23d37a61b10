"""Every page a person can open, in ONE list, for the site-wide browser checks (axe-core and
"no sideways scrolling on a phone"). A page from a new package is one more `SitePage` line.

Paths are templates filled from `SeededSite`: the demo team (`seed_demo`) with a wall-screen
token, a pending invitation and a second team where the lead is only a viewer (for the 403).
"""

from __future__ import annotations

from dataclasses import dataclass
from io import StringIO

from django.core.management import call_command

from focusboard import services as focus_services
from milestones.models import Milestone, QuarterlyReview
from teams import services as team_services
from teams.demo import DEMO_PASSWORD, DEMO_TEAM_SLUG
from teams.models import Membership, Role, Team
from tripwires.models import Tripwire


@dataclass(frozen=True)
class SitePage:
    name: str
    path: str  # formatted with SeededSite's fields: "/t/{team}/milestones/{milestone}/"
    signed_in: bool = True  # False: opened signed out (the login page, an invitation)
    status: int = 200


PAGES: tuple[SitePage, ...] = (
    SitePage("home", "/"),
    SitePage("me", "/me/"),
    SitePage("me-feeds", "/me/feeds/"),
    SitePage("me-calendars", "/me/calendars/"),
    SitePage("me-tokens", "/me/tokens/"),
    SitePage("board", "/t/{team}/"),
    SitePage("item-edit", "/t/{team}/items/{item}/edit/"),
    SitePage("history", "/t/{team}/history/"),
    SitePage("wall", "/t/{team}/wall/"),
    SitePage("wall-kiosk", "/wall/{kiosk}/"),
    SitePage("wall-disconnected", "/wall/not-a-screen/", signed_in=False, status=410),
    SitePage("playlists", "/walls/"),
    SitePage("playlist", "/walls/{playlist}/"),
    SitePage("playlist-screen", "/walls/screen/{playlist_screen}/", signed_in=False),
    SitePage("schedule-week", "/t/{team}/schedule/"),
    SitePage("policy", "/t/{team}/schedule/policy/"),
    SitePage("vision", "/t/{team}/vision/"),
    SitePage("vision-edit", "/t/{team}/vision/edit/"),
    SitePage("reviews", "/t/{team}/reviews/"),
    SitePage("review-new", "/t/{team}/reviews/new/"),
    SitePage("review-detail", "/t/{team}/reviews/{review}/"),
    SitePage("milestones", "/t/{team}/milestones/"),
    SitePage("milestone-detail", "/t/{team}/milestones/{milestone}/"),
    SitePage("non-negotiables", "/t/{team}/non-negotiables/"),
    SitePage("tripwires", "/t/{team}/tripwires/"),
    SitePage("tripwire-detail", "/t/{team}/tripwires/{tripwire}/"),
    SitePage("settings", "/t/{team}/settings/"),
    SitePage("403", "/t/{viewer_team}/settings/", status=403),
    SitePage("404", "/t/no-such-team/", status=404),
    SitePage("login", "/accounts/login/", signed_in=False),
    SitePage("password-reset", "/accounts/password/reset/", signed_in=False),
    SitePage("invitation", "/invite/{invitation}/", signed_in=False),
)

LEAD = "lena"
PASSWORD = DEMO_PASSWORD


@dataclass(frozen=True)
class SeededSite:
    team: str
    viewer_team: str
    item: int
    kiosk: str
    review: int
    milestone: int
    tripwire: int
    invitation: str
    playlist: int
    playlist_screen: str

    def url(self, page: SitePage) -> str:
        return page.path.format(**self.__dict__)


def seed_site() -> SeededSite:
    """The demo team with its data, as `make run` shows it, plus what the demo lacks."""
    call_command("seed_demo", force=True, stdout=StringIO())
    team = Team.objects.get(slug=DEMO_TEAM_SLUG)
    lead = Membership.objects.get(team=team, user__username=LEAD).user
    _, kiosk = focus_services.kiosk_token_create(team=team, actor=lead, label="Team room")
    invitation = team_services.invitation_create(
        team=team, invited_by=lead, role=Role.MEMBER, url_for=lambda secret: secret
    )
    focus_services.wall_playlists_opt(team=team, opted_in=True)
    playlist = focus_services.wall_playlist_create(
        actor=lead, name="Kitchen", teams=[team], seconds_per_team=30
    )
    _, playlist_screen = focus_services.wall_playlist_token_create(
        playlist=playlist, actor=lead, label="Kitchen TV"
    )
    other = Team.objects.create(slug="infra", name="Infra", timezone="Europe/Paris")
    Membership.objects.create(team=other, user=lead, role=Role.VIEWER)
    return SeededSite(
        team=team.slug,
        viewer_team=other.slug,
        item=team.focus_items.filter(status="active").order_by("position").first().pk,
        kiosk=kiosk,
        review=QuarterlyReview.objects.filter(vision__team=team).first().pk,
        milestone=Milestone.objects.filter(team=team).first().pk,
        tripwire=Tripwire.objects.filter(team=team).first().pk,
        invitation=invitation.url,
        playlist=playlist.pk,
        playlist_screen=playlist_screen,
    )

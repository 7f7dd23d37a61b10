"""The wall's poll is cheap when nothing changed and never stale when something did.

The rendered fragment is cached under the team's wall version (a new value with every write to
anything a wall shows) and the minute. Each test here changes one source of one panel and checks
that the very next poll shows it; the cost tests pin what an unchanged poll still costs."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from core.wall import _panels
from focusboard import selectors, services
from focusboard.models import FocusItem, FocusStatus, KioskToken
from milestones.models import DoneCriterion, Milestone, Target, Vision
from schedule.models import Meeting, MeetingStatus
from teams.models import Membership, Team
from teams.services import team_update
from tripwires.models import Observation, Tripwire
from tripwires.services import NewPoint, observations_ingest

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def demo(settings) -> tuple[Client, Team]:
    settings.DEBUG = True  # seed_demo refuses otherwise
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    team = Team.objects.get(slug="demo")
    client = Client()
    client.force_login(Membership.objects.filter(team=team, role="lead").first().user)
    return client, team


def text(client: Client) -> str:
    response = client.get("/t/demo/wall/content/?since=1", **HX)
    assert response.status_code == 200
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_every_source_of_the_wall_shows_on_the_next_poll(demo):
    """One seeded team, one change per panel source, each visible on the poll right after it
    (with an unchanged poll answered from the cache in between)."""
    client, team = demo
    lead = Membership.objects.filter(team=team, role="lead").first().user
    active = list(FocusItem.objects.filter(team=team, status=FocusStatus.ACTIVE))
    milestone = Milestone.objects.get(team=team, title="Feature store backfill")
    vision = Vision.objects.get(team=team, status="active")
    criterion = DoneCriterion.objects.filter(vision=vision).order_by("position", "pk").first()
    tripwire = Tripwire.objects.filter(team=team).order_by("name").first()

    def rename_item() -> None:
        services.focus_item_edit(
            item=active[0], actor=lead, title="Renamed topic", fields={"title"}
        )

    def rename_owner() -> None:
        owner = FocusItem.objects.filter(team=team, status=FocusStatus.ACTIVE).first().owner
        owner.first_name, owner.last_name = "Ada", "Lovelace"
        owner.save()

    def raise_cap() -> None:
        team_update(team=Team.objects.get(pk=team.pk), focus_cap=5)

    def revise_target() -> None:
        for target in Target.objects.filter(vision=vision):
            target.text = "Ship the new ranker to every country."
            target.save()

    def rename_criterion() -> None:
        criterion.metric = "CTR of the top 5"
        criterion.save()

    def rename_milestone() -> None:
        milestone.title = "Backfill done and verified"
        milestone.save()

    def rename_tripwire() -> None:
        tripwire.name = "Click-through"
        tripwire.save()

    def book_meeting_now() -> None:
        now = timezone.now()
        Meeting.objects.create(
            team=team,
            title="Unplanned incident review",
            start=now - timedelta(minutes=5),
            end=now + timedelta(minutes=50),
            status=MeetingStatus.CONFIRMED,
        )

    changes: list[tuple[str, Callable[[], None], str]] = [
        ("focus item", rename_item, "Renamed topic"),
        ("owner's name", rename_owner, "Ada Lovelace"),
        ("team's cap", raise_cap, "of 5 focus topics"),
        ("target", revise_target, "Ship the new ranker to every country."),
        ("criterion", rename_criterion, "CTR of the top 5"),
        ("milestone", rename_milestone, "Backfill done and verified"),
        ("tripwire", rename_tripwire, "Click-through"),
        ("meeting", book_meeting_now, "Unplanned incident review"),
    ]
    for name, change, expected in changes:
        before = text(client)
        assert text(client) == before  # unchanged poll: the same answer (from the cache)
        assert expected not in before, name
        change()
        assert expected in text(client), f"{name}: the wall did not show the change"


def test_reorder_and_observations_bulk_writes_change_the_version(demo):
    """Writes that send no model signal (bulk_update, bulk_create) say so themselves."""
    client, team = demo
    lead = Membership.objects.filter(team=team, role="lead").first().user

    def titles():
        return re.findall(
            r'wall-card-title">([^<]+)<',
            client.get("/t/demo/wall/content/", **HX).content.decode(),
        )

    before = titles()
    last = FocusItem.objects.get(team=team, title=before[-1])
    services.focus_item_move(item=last, actor=lead, position=0)
    assert titles()[0] == before[-1]

    # A pipeline's batch is stored with bulk_create: the wall learns of it all the same.
    version = Team.objects.get(pk=team.pk).wall_version
    tripwire = Tripwire.objects.filter(team=team).first()
    now = timezone.now()
    observations_ingest(
        tripwire_id=tripwire.pk,
        points=[NewPoint(at=now, production=0.5, baseline=0.4, key="wall-test-1")],
        digest="wall-test",
        now=now,
        notify=False,
    )
    assert Observation.objects.filter(tripwire=tripwire, key="wall-test-1").exists()
    assert Team.objects.get(pk=team.pk).wall_version != version


def test_the_clock_and_the_minute_texts_move_on_without_a_write(demo, monkeypatch):
    client, team = demo
    first = text(client)
    later = selectors.team_now(team) + timedelta(minutes=1)
    monkeypatch.setattr(selectors, "team_now", lambda t: later)
    assert f"updated {later:%H:%M}" in text(client) and text(client) != first


def test_reload_all_reaches_a_screen_through_the_cache(demo):
    client, team = demo
    text(client)
    services.wall_reload_all(team=team)
    response = client.get("/t/demo/wall/content/?since=1", **HX)
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    # A screen loaded after the request is not told again.
    later = f"/t/demo/wall/content/?since={timezone.now().timestamp() + 5:.0f}"
    assert client.get(later, **HX).status_code == 200


def test_an_unchanged_poll_costs_the_queries_that_find_the_team(demo, django_assert_num_queries):
    """Signed in: session, user, membership (with the team and its wall version). Kiosk: the
    token with its team. Nothing else while the team's state and the minute are the same."""
    client, team = demo
    text(client)
    with django_assert_num_queries(3):
        assert client.get("/t/demo/wall/content/", **HX).status_code == 200
    _token, secret = KioskToken.issue(
        team=team, label="Room", created_by=Membership.objects.filter(team=team).first().user
    )
    screen = Client()
    assert screen.get(f"/wall/{secret}/content/", **HX).status_code == 200
    with django_assert_num_queries(1):
        assert screen.get(f"/wall/{secret}/content/", **HX).status_code == 200


def test_each_screen_gets_its_own_poll_address_from_the_shared_fragment(demo):
    client, team = demo
    _, secret = KioskToken.issue(
        team=team, label="Room", created_by=Membership.objects.filter(team=team).first().user
    )
    kiosk = Client().get(f"/wall/{secret}/content/?since=42", **HX).content.decode()
    signed_in = client.get("/t/demo/wall/content/?since=43", **HX).content.decode()
    assert f'hx-get="/wall/{secret}/content/?since=42"' in kiosk
    assert 'hx-get="/t/demo/wall/content/?since=43"' in signed_in and secret not in signed_in


def test_every_panel_names_the_models_it_reads():
    """A panel without sources would be cached past its own changes."""
    assert _panels and all(panel.sources for panel in _panels.values())


def test_unchecking_a_milestone_item_reaches_the_wall_through_the_cache(demo, monkeypatch):
    """check_remove marks the check unchecked with update(), which sends no signal."""
    from milestones.checklist import check_remove
    from milestones.models import Check

    client, team = demo
    still = selectors.team_now(team)  # one minute throughout: only a write may change the wall
    monkeypatch.setattr(selectors, "team_now", lambda t: still)
    check = (
        Check.objects.filter(milestone__team=team, unchecked_at=None, milestone__done_at=None)
        .select_related("milestone", "non_negotiable")
        .first()
    )
    assert check is not None, "the demo has an open milestone with a checked item"

    def progress() -> tuple[int, int]:
        shown = re.search(re.escape(check.milestone.title) + r".*?✓ (\d+)/(\d+)", text(client))
        assert shown is not None
        return int(shown[1]), int(shown[2])

    done, total = progress()
    assert progress() == (done, total)
    check_remove(milestone=check.milestone, non_negotiable=check.non_negotiable)
    assert progress() == (done - 1, total)

"""The wall screen is composed of the panels apps register: drawn in their regions and order,
left out when they have nothing to say, at a flat query count, and without the focus board
importing the apps whose panels it draws."""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command

from core.wall import Region, WallPanel, register_wall_panel, unregister_wall_panel
from teams.models import Membership

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def lead_client(client, people):
    client.force_login(people.lead)
    return client


@pytest.fixture
def panel_templates(settings, tmp_path: Path) -> Path:
    (tmp_path / "note.html").write_text('<p class="wall-panel note">{{ text }} · {{ team }}</p>')
    (tmp_path / "alarm.html").write_text('<p class="wall-alert">{{ text }}</p>')
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    return tmp_path


@pytest.fixture
def registered() -> Iterator[list[str]]:
    """Names registered during the test, unregistered after it whatever happens."""
    names: list[str] = []
    yield names
    for name in names:
        unregister_wall_panel(name)


def register(registered: list[str], panel: WallPanel) -> None:
    register_wall_panel(panel)
    registered.append(panel.name)


def test_registered_panels_are_drawn_in_their_region_and_order(
    lead_client, panel_templates, registered
):
    def note(text: str):  # type: ignore[no-untyped-def]
        return lambda team, now: {"text": f"{text} for {team.slug}"}

    register(registered, WallPanel("t-late", Region.SIDE, 90, "note.html", note("Late")))
    register(registered, WallPanel("t-early", Region.SIDE, 1, "note.html", note("Early")))
    register(registered, WallPanel("t-alarm", Region.ALERT, 1, "alarm.html", note("Tripped")))
    register(registered, WallPanel("t-silent", Region.SIDE, 5, "note.html", lambda team, now: None))
    body = lead_client.get("/t/ml/wall/content/", **HX).content.decode()

    alerts, rest = body.split('<section class="wall-focus"')
    assert (
        '<div class="wall-alerts" role="alert"><p class="wall-alert">Tripped for ml</p>' in alerts
    )
    assert "has-alert" in alerts and "has-side" in alerts
    side = rest.split('<aside class="wall-side">')[1].split("</aside>")[0]
    # The panel's own context only: the wall's `team` does not leak into it.
    early, maker, late = (
        side.index("Early for ml · </p>"),
        side.index("wall-maker"),
        side.index("Late"),
    )
    assert early < maker < late  # schedule's maker line is registered at order 10
    assert "t-silent" not in body and side.count('class="wall-panel note"') == 2

    for name in registered:
        unregister_wall_panel(name)
    body = lead_client.get("/t/ml/wall/content/", **HX).content.decode()
    assert "wall-alert" not in body and "has-alert" not in body and "Early" not in body
    assert "Maker time" in body or "meeting" in body or "working hours" in body


def test_the_wall_partial_runs_fifteen_queries_on_the_demo_team(
    client, settings, django_assert_num_queries
):
    """Session, user, membership, the reload flag, the board, the maker line's policy and
    next meeting, the vision panel's vision, target and criteria, the next milestones (with
    their checks and slips, and the active non-negotiables) and the tripwires: fifteen,
    whatever the demo holds, when the wall is drawn (the first poll after a change; an unchanged
    poll costs 3, see test_wall_poll_cost.py)."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    client.force_login(Membership.objects.filter(team__slug="demo").first().user)
    with django_assert_num_queries(15):
        response = client.get("/t/demo/wall/content/", **HX)
    assert response.status_code == 200
    assert response.content.decode().count('class="wall-card"') >= 1
    assert "wall-vision" in response.content.decode()


def imported_modules(package: str) -> set[str]:
    found: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module)
    return found


def test_the_focus_board_imports_no_app_whose_panel_it_draws():
    """Panels come through core's registry: focusboard never imports schedule (or tripwires),
    and the schedule never imports focusboard back."""
    siblings = {m.split(".")[0] for m in imported_modules("focusboard")}
    assert not siblings & {"schedule", "tripwires"}, siblings
    assert "focusboard" not in {m.split(".")[0] for m in imported_modules("schedule")}

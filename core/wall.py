"""The wall screen is composed of panels that apps register, so the app that draws the wall
(focusboard) never imports the apps whose news it shows.

An app registers its panels in its AppConfig.ready():

    register_wall_panel(WallPanel(
        name="maker-line", region=Region.SIDE, order=10,
        template_name="schedule/wall_panel.html", context=maker_line_context,
    ))

`context(team, now)` returns the panel's template context, or None when the panel has nothing
to say right now (it is then left out, never shown empty). It must run a fixed number of
queries whatever the size of the team's data: the wall polls every few seconds.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Model


class Region(enum.StrEnum):
    # Alarms take the top of the wall (the only red on it); side panels sit beside the cards.
    ALERT = "alert"
    SIDE = "side"


# Called with the team (core knows no Team model: it sits below teams) and the moment.
PanelContext = Callable[[Any, datetime], Mapping[str, Any] | None]


@dataclass(frozen=True)
class WallPanel:
    name: str
    region: Region
    order: int
    template_name: str
    context: PanelContext


@dataclass(frozen=True)
class RenderedPanel:
    """A panel with its context for this team and moment, ready for `{% include %}`."""

    name: str
    region: Region
    template_name: str
    context: Mapping[str, Any]


_panels: dict[str, WallPanel] = {}


def register_wall_panel(panel: WallPanel) -> None:
    """Register (or, by name, replace) a panel; idempotent, as ready() may run twice."""
    _panels[panel.name] = panel


def unregister_wall_panel(name: str) -> None:
    """Take a panel off the wall (a no-op for a name never registered)."""
    _panels.pop(name, None)


def wall_panels(team: Model, now: datetime) -> dict[Region, list[RenderedPanel]]:
    """Every registered panel that has something to show, by region, in order."""
    shown: dict[Region, list[RenderedPanel]] = {region: [] for region in Region}
    for panel in sorted(_panels.values(), key=lambda p: (p.region, p.order, p.name)):
        context = panel.context(team, now)
        if context is not None:
            shown[panel.region].append(
                RenderedPanel(panel.name, panel.region, panel.template_name, context)
            )
    return shown

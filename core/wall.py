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

`sources` names every model the panel reads, with the path from a row to its team's id
("team_id", "vision.team_id"). Saving or deleting such a row sends `wall_changed` for that team
(teams keeps a per-team version that the wall's fragment cache is keyed by), so an unchanged
poll is answered without drawing anything and a change is on the very next poll. Writes that
skip model signals (`QuerySet.update`, `bulk_create`, `bulk_update`) call
`notify_wall_changed(team_id)` themselves, in the same transaction.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal


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
    # (model label, dotted path from a row to its team's id), for every model the panel reads.
    sources: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RenderedPanel:
    """A panel with its context for this team and moment, ready for `{% include %}`."""

    name: str
    region: Region
    template_name: str
    context: Mapping[str, Any]


_panels: dict[str, WallPanel] = {}
# Bumped whenever the set of panels changes: part of the wall's cache key.
_generation = 0


def panels_generation() -> int:
    return _generation


def register_wall_panel(panel: WallPanel) -> None:
    """Register (or, by name, replace) a panel; idempotent, as ready() may run twice."""
    global _generation
    _panels[panel.name] = panel
    _generation += 1
    for label, path in panel.sources:
        watch_wall_source(label, path)


# Sent with `team_id` whenever something a wall shows may have changed (teams listens).
wall_changed = Signal()


def notify_wall_changed(team_id: Any) -> None:
    """Say that the team's wall changed; call it inside the write's transaction."""
    if team_id is not None:
        wall_changed.send(sender=None, team_id=team_id)


def _team_ids(instance: Model, path: str) -> list[Any]:
    value: Any = instance
    try:
        for part in path.split("."):
            value = getattr(value, part)
    except ObjectDoesNotExist:  # a parent deleted in the same cascade says so itself
        return []
    if value is None:
        return []
    if hasattr(value, "values_list"):  # a related manager, e.g. a person's memberships
        return list(value.values_list("team_id", flat=True))
    return [value]


def watch_wall_source(label: str, path: str) -> None:
    """Send `wall_changed` for the row's team(s) on every save and delete of `label`."""
    model = apps.get_model(label)

    def changed(sender: type[Model], instance: Model, **kwargs: Any) -> None:
        # A login stamps last_login on the user: nothing a wall shows.
        if kwargs.get("update_fields") == frozenset({"last_login"}):
            return
        # A raw save (import_team, loaddata) restores rows as they were, version included.
        if kwargs.get("raw"):
            return
        for team_id in _team_ids(instance, path):
            notify_wall_changed(team_id)

    uid = f"core.wall:{label}:{path}"
    post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid)


def unregister_wall_panel(name: str) -> None:
    """Take a panel off the wall (a no-op for a name never registered)."""
    global _generation
    _panels.pop(name, None)
    _generation += 1


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

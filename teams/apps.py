from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = "Teams"

    def ready(self) -> None:
        from core.wall import wall_changed

        wall_changed.connect(_bump_wall_version, dispatch_uid="teams.wall_version")


def _bump_wall_version(sender: Any, team_id: Any, **kwargs: Any) -> None:
    from .models import Team, new_wall_version

    # A new random value, in the write's own transaction: a poll that sees it sees the write.
    Team.objects.filter(pk=team_id).update(wall_version=new_wall_version())

from __future__ import annotations

from django.apps import AppConfig

from core.wall import Region, WallPanel, register_wall_panel


class ScheduleConfig(AppConfig):
    name = "schedule"

    def ready(self) -> None:
        # Imported here: the panel reads models, which are not loaded before ready().
        from .wall import MAKER_LINE_TEMPLATE, maker_line_context

        register_wall_panel(
            WallPanel(
                name="maker-line",
                region=Region.SIDE,
                order=10,
                template_name=MAKER_LINE_TEMPLATE,
                context=maker_line_context,
                sources=(("schedule.MakerPolicy", "team_id"), ("schedule.Meeting", "team_id")),
            )
        )

        from core.feeds import register_feed_source

        from . import feed_sources

        register_feed_source(
            "meetings", feed_sources.meetings_source, version=feed_sources.meetings_version
        )
        register_feed_source(
            "maker_blocks",
            feed_sources.maker_blocks_source,
            version=feed_sources.maker_blocks_version,
        )

from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "schedule"

    def ready(self) -> None:
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

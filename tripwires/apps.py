from django.apps import AppConfig


class TripwiresConfig(AppConfig):
    name = "tripwires"
    verbose_name = "Tripwires"

    def ready(self) -> None:
        from core.wall import Region, WallPanel, register_wall_panel

        from . import selectors

        # A tripped or stale tripwire takes the top of the wall, the only red on it.
        register_wall_panel(
            WallPanel(
                name="tripwires",
                region=Region.ALERT,
                order=10,
                template_name="tripwires/wall_panel.html",
                context=selectors.wall_context,
                sources=(
                    ("tripwires.Tripwire", "team_id"),
                    ("tripwires.Observation", "tripwire.team_id"),
                ),
            )
        )
        # All quiet: a small line beside the cards, never in the alarm region.
        register_wall_panel(
            WallPanel(
                name="tripwires-ok",
                region=Region.SIDE,
                order=90,
                template_name="tripwires/wall_ok.html",
                context=selectors.wall_ok_context,
                sources=(("tripwires.Tripwire", "team_id"),),
            )
        )

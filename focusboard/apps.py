from django.apps import AppConfig


class FocusboardConfig(AppConfig):
    name = "focusboard"
    verbose_name = "Focus board"

    def ready(self) -> None:
        from core.wall import watch_wall_source
        from teams.extensions import register_settings_section
        from teams.services import register_focus_cap_floor

        from . import selectors, views

        # The team's cap may not go below the number of active items.
        register_focus_cap_floor(selectors.active_count)
        # Leads manage wall-screen tokens on the team settings page.
        register_settings_section(views.settings_section)
        # What the wall draws itself (cards, owners' names, the team's name, cap and zone, the
        # reload flag): a write to any of them changes the team's wall version.
        for label, path in (
            ("focusboard.FocusItem", "team_id"),
            ("focusboard.WallScreen", "team_id"),
            ("teams.Team", "pk"),
            ("auth.User", "memberships"),
        ):
            watch_wall_source(label, path)

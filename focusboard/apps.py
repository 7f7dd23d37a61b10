from django.apps import AppConfig


class FocusboardConfig(AppConfig):
    name = "focusboard"
    verbose_name = "Focus board"

    def ready(self) -> None:
        from teams.extensions import register_settings_section
        from teams.services import register_focus_cap_floor

        from . import selectors, views

        # The team's cap may not go below the number of active items.
        register_focus_cap_floor(selectors.active_count)
        # Leads manage wall-screen tokens on the team settings page.
        register_settings_section(views.settings_section)

from django.apps import AppConfig


class FocusboardConfig(AppConfig):
    name = "focusboard"

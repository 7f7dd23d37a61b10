"""`{{ user|display_name }}`: how a person is shown on every page (teams.models.display_name)."""

from __future__ import annotations

from django import template
from django.contrib.auth.base_user import AbstractBaseUser

from teams.models import display_name as _display_name

register = template.Library()


@register.filter
def display_name(user: AbstractBaseUser | None) -> str:
    return _display_name(user) if user is not None else ""

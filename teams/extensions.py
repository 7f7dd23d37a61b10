"""Extension points for apps that build on teams (which may not import them).

An app registers, in its AppConfig.ready(), a function that returns a section for the team
settings page: a template name and its context. The settings view renders every section
registered, in registration order (INSTALLED_APPS order).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from .permissions import TeamAccess


@dataclass(frozen=True)
class SettingsSection:
    template_name: str
    context: dict[str, Any] = field(default_factory=dict)


SettingsSectionProvider = Callable[[HttpRequest, TeamAccess], SettingsSection]
_settings_sections: list[SettingsSectionProvider] = []


def register_settings_section(provider: SettingsSectionProvider) -> None:
    if provider not in _settings_sections:
        _settings_sections.append(provider)


def settings_sections(request: HttpRequest, access: TeamAccess) -> list[SettingsSection]:
    return [provider(request, access) for provider in _settings_sections]

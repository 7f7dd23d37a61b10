from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from teams.demo import DEMO_PASSWORD, seed_people_and_team


class Command(BaseCommand):
    help = (
        "Create the demo team `demo` with its people and data: only what is missing, never "
        "undoing what people changed since."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even when DEBUG is off (the demo people share a published password).",
        )

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to create demo users with a published password while DEBUG is off. "
                "Use --force if this really is a demo server."
            )
        with transaction.atomic():
            team, people = seed_people_and_team()
            self.stdout.write(f"Team {team.slug!r} with {len(people)} people.")
            # Each app that has demo data provides `<app>.demo.seed`; INSTALLED_APPS order
            # is dependency order, so a vision exists before the milestones that link to it.
            for config in apps.get_app_configs():
                if config.name == "teams" or not module_has_submodule(config.module, "demo"):
                    continue
                module = import_module(f"{config.name}.demo")
                if hasattr(module, "seed"):
                    self.stdout.write(f"Seeding {config.label}…")
                    module.seed(team=team, people=people, stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: log in as 'lena' (lead) or 'sam' (member) with password "
                f"{DEMO_PASSWORD!r}."
            )
        )

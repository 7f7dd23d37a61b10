"""`manage.py import_team team.json`: a team exported by `export_team`, into a database that
does not have it."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.transfer import TransferError, import_team


class Command(BaseCommand):
    help = (
        "Create a team and all its history from an export_team file ('-' reads standard "
        "input). Refused, writing nothing, when the team's slug exists in this database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["file"] == "-":
                document = json.load(sys.stdin)
            else:
                with open(options["file"], encoding="utf-8") as handle:
                    document = json.load(handle)
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc.strerror}.") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(f"{options['file']} is not JSON: {exc}.") from exc
        try:
            team = import_team(document, using=options["database"], progress=self._progress)
        except TransferError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Imported {team.name} ({team.slug}).")

    def _progress(self, message: str) -> None:
        self.stderr.write(message)

"""`manage.py export_team <slug> > team.json`: one team and all its history, as JSON."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.transfer import TransferError, dumps, export_team


class Command(BaseCommand):
    help = (
        "Write one team and all its history (with the people it names, without passwords or "
        "tokens) as JSON to standard output; progress goes to standard error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            document = export_team(
                options["slug"], using=options["database"], progress=self._progress
            )
        except TransferError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(dumps(document))

    def _progress(self, message: str) -> None:
        self.stderr.write(message)

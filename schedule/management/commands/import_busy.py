"""Refresh every calendar-URL busy source; a failure keeps that source's previous busy time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from schedule import services
from schedule.models import BusySource, BusySourceKind


class Command(BaseCommand):
    help = (
        "Fetch every calendar URL again and replace its busy intervals. A source that fails "
        "keeps what it had and records why. Exit status 1 when any source failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--team", help="Only this team's sources (its slug).")

    def handle(self, *args: Any, team: str | None = None, **options: Any) -> None:
        sources = BusySource.objects.filter(kind=BusySourceKind.URL).select_related("team", "user")
        if team:
            sources = sources.filter(team__slug=team)
        sources = sources.order_by("team__slug", "user__username", "pk")
        total = sources.count()
        if total == 0:
            self.stdout.write("No calendar URLs to refresh.")
            return
        failed = 0
        for number, source in enumerate(sources.iterator(), start=1):
            where = f"{source.team.slug}, {source.display_url}"
            prefix = f"[{number}/{total}] {source.user.username} ({where})"
            try:
                source = services.busy_source_refresh(source=source)
            except services.BusyImportFailed as exc:
                failed += 1
                self.stderr.write(f"{prefix}: failed, previous busy time kept. {exc.reason}")
            else:
                self.stdout.write(f"{prefix}: {source.interval_count} busy intervals")
        if failed:
            raise CommandError(f"{failed} of {total} calendars could not be refreshed.")
        self.stdout.write(self.style.SUCCESS(f"Refreshed {total} calendars."))

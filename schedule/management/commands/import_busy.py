"""Refresh every calendar-URL busy source; a failure keeps that source's previous busy time.

Each calendar is bounded (services.DOWNLOAD_DEADLINE_SECONDS to download, the reader's
isolated.WALL_SECONDS to read, in a separate process), so one slow or hostile address costs
at most those seconds and the command always gets to the end of the list.
"""

from __future__ import annotations

import logging
from time import monotonic
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from schedule import services
from schedule.ical.read.isolated import WALL_SECONDS
from schedule.models import BusySource, BusySourceKind

logger = logging.getLogger(__name__)
PER_CALENDAR_SECONDS = services.DOWNLOAD_DEADLINE_SECONDS + WALL_SECONDS


class Command(BaseCommand):
    help = (
        "Fetch every calendar URL again and replace its busy intervals. A source that fails "
        "keeps what it had and records why; each calendar takes at most "
        f"{PER_CALENDAR_SECONDS:g} seconds. Exit status 1 when any source failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--team", help="Only the calendars of this team's members (its slug).")

    def handle(self, *args: Any, team: str | None = None, **options: Any) -> None:
        sources = BusySource.objects.filter(kind=BusySourceKind.URL).select_related("user")
        if team:
            # A person's calendars count in every team: the ones of this team's members.
            sources = sources.filter(user__memberships__team__slug=team)
        sources = sources.order_by("user__username", "pk")
        total = sources.count()
        if total == 0:
            self.stdout.write("No calendar URLs to refresh.")
            return
        failed = 0
        for number, source in enumerate(sources.iterator(), start=1):
            prefix = f"[{number}/{total}] {source.user.username} ({source.display_url})"
            began = monotonic()
            try:
                source = services.busy_source_refresh(source=source)
            except services.BusyImportFailed as exc:
                failed += 1
                self.stderr.write(f"{prefix}: failed, previous busy time kept. {exc.reason}")
            except Exception:  # one source's bug must not stop the others' refresh
                failed += 1
                logger.exception("Refreshing busy source %s failed", source.pk)
                self.stderr.write(f"{prefix}: failed unexpectedly, previous busy time kept.")
            else:
                skipped = f", {source.skipped_count} skipped" if source.skipped_count else ""
                self.stdout.write(
                    f"{prefix}: {source.interval_count} busy intervals{skipped} "
                    f"({monotonic() - began:.1f} s)"
                )
        if failed:
            raise CommandError(f"{failed} of {total} calendars could not be refreshed.")
        self.stdout.write(self.style.SUCCESS(f"Refreshed {total} calendars."))

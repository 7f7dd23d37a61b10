from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tripwires.services import tripwires_check_stale


class Command(BaseCommand):
    help = (
        "Announce tripwires whose pipeline went quiet (no observation for twice the expected "
        "interval). A silent pipeline posts nothing that could trip the wire: run this from "
        "cron, e.g. every 15 minutes."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = tripwires_check_stale()
        self.stdout.write(f"{count} tripwire(s) newly stale.")

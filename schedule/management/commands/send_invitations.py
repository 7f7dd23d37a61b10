"""Send the meeting invitations that are due: queued ones, and failed ones whose retry time
has come. With the database task backend the worker retries on its own; with the immediate
backend (one process, no worker) run this from cron, e.g. every five minutes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from schedule.invitations import invitations_retry
from schedule.models import InvitationSend


class Command(BaseCommand):
    help = "Send queued meeting invitations and retry the failed ones that are due."

    def handle(self, *args: Any, **options: Any) -> None:
        due = InvitationSend.objects.filter(
            Q(next_attempt_at__lte=timezone.now()) | Q(attempts=0, next_attempt_at__isnull=True)
        )
        count = invitations_retry(sends=due)
        self.stdout.write(f"{count} invitation{'s' if count != 1 else ''} tried.")

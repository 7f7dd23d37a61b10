"""`manage.py task_worker`: django-tasks-db's `db_worker` that outlives a database restart.

The library's worker exits on the first OperationalError (a restart, a failover), leaving
queued invitations and notifications unsent until someone restarts it. This one logs one line,
drops its connections and tries again every few seconds, so it picks up where it stopped as
soon as the database answers. Every option of `db_worker` works the same.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands import db_worker

from core.outage import is_outage, reason

logger = logging.getLogger("django_tasks_db")

RETRY_SECONDS = 2.0


class ResilientWorker(db_worker.Worker):
    def run(self) -> None:
        while True:
            try:
                super().run()
                return
            except (OperationalError, InterfaceError) as exc:
                if not self.running or not is_outage(exc):
                    raise
                logger.warning(
                    "Database unavailable (%s); retrying in %.0f s.", reason(exc), RETRY_SECONDS
                )
                connections.close_all()
                time.sleep(RETRY_SECONDS)


class Command(db_worker.Command):
    help = "Run the database task worker; it waits out database restarts instead of exiting."

    def handle(self, *args: Any, **options: Any) -> None:
        # db_worker.Command.handle builds its worker from the module's `Worker`; swap in ours
        # for the duration of this command only.
        original = db_worker.Worker
        db_worker.Worker = ResilientWorker  # type: ignore[misc]
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original  # type: ignore[misc]

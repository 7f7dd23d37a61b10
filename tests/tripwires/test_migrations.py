"""Migrations that shorten a column keep the rows they find: longer values are cut first."""

from __future__ import annotations

import pytest
from django.apps import apps as global_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.limits import LABEL_MAX_LENGTH
from tests.conftest import TeamPeople
from tripwires import services
from tripwires.models import IngestToken, Tripwire


@pytest.mark.django_db(transaction=True)
def test_ingest_token_labels_written_under_the_old_limit_survive_the_shorter_column(
    people: TeamPeople,
):
    tripwire = Tripwire.objects.create(team=people.team, name="CTR", metric="ctr")
    long_one, _ = services.ingest_token_issue(tripwire=tripwire, actor=people.lead, label="a")
    short_one, _ = services.ingest_token_issue(tripwire=tripwire, actor=people.lead, label="b")
    try:
        executor = MigrationExecutor(connection)
        executor.migrate([("tripwires", "0002_text_limits")])
        # Under the old limit of 100 characters.
        old = executor.loader.project_state(("tripwires", "0002_text_limits")).apps
        old.get_model("tripwires", "IngestToken").objects.filter(pk=long_one.pk).update(
            label="nightly-eval-" + "x" * 87
        )
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        long_one.refresh_from_db()
        short_one.refresh_from_db()
        assert long_one.label == ("nightly-eval-" + "x" * 87)[:LABEL_MAX_LENGTH]
        assert short_one.label == "b"
        assert IngestToken.objects.count() == 2
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        global_apps.clear_cache()

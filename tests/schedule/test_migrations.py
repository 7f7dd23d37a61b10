"""The move of busy calendars from (team, person) to the person keeps everyone's busy time:
per person the newest upload and each calendar address once, with their intervals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("schedule", "0003_feed_tokens_and_invitation_outbox")]
AFTER = [("schedule", "0005_busy_source_without_team")]


def migrate(targets):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_calendars_uploaded_in_two_teams_become_one_per_person():
    old = migrate(BEFORE)
    User = old.get_model("auth", "User")
    Team = old.get_model("teams", "Team")
    Source = old.get_model("schedule", "BusySource")
    Interval = old.get_model("schedule", "BusyInterval")
    tom = User.objects.create(username="tom")
    ada = User.objects.create(username="ada")
    ml = Team.objects.create(slug="ml", name="ML")
    infra = Team.objects.create(slug="infra", name="Infra")
    t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)

    def source(team, user, kind, *, url="", imported_days_ago=0, summary="x"):  # type: ignore[no-untyped-def]
        row = Source.objects.create(
            team=team,
            user=user,
            kind=kind,
            url=url,
            filename="cal.ics" if kind == "upload" else "",
            last_imported_at=t0 - timedelta(days=imported_days_ago),
        )
        Interval.objects.create(
            source=row, user=user, start=t0, end=t0 + timedelta(hours=1), summary=summary
        )
        return row

    source(ml, tom, "upload", imported_days_ago=5, summary="old")
    newest = source(infra, tom, "upload", imported_days_ago=1, summary="new")
    address = "https://calendar.example.com/tom.ics"
    source(ml, tom, "url", url=address, imported_days_ago=3)
    kept_url = source(infra, tom, "url", url=address, imported_days_ago=0)
    other_url = source(ml, tom, "url", url="https://calendar.example.com/other.ics")
    only = source(ml, ada, "upload")
    try:
        new = migrate(AFTER)
        Source = new.get_model("schedule", "BusySource")
        Interval = new.get_model("schedule", "BusyInterval")
        assert sorted(Source.objects.values_list("pk", flat=True)) == sorted(
            [newest.pk, kept_url.pk, other_url.pk, only.pk]
        )
        assert set(Interval.objects.filter(user_id=tom.pk).values_list("source_id", "summary")) == {
            (newest.pk, "new"),
            (kept_url.pk, "x"),
            (other_url.pk, "x"),
        }
        assert Interval.objects.filter(user_id=ada.pk).count() == 1
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

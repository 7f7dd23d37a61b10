"""Busy calendars move from (team, person) to the person.

A person in two teams may have uploaded the same calendar in each. Per person, the most
recently imported upload is kept, and each calendar address once (its most recent import);
the other copies and their busy intervals go, since the kept one carries the same time.
The team column goes in the next migration: PostgreSQL does not alter a table in the
transaction that deleted rows from it while their foreign-key checks are still pending.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _newest_first(source: Any) -> tuple[Any, ...]:
    imported = source.last_imported_at or source.created_at
    return (imported, source.created_at, source.pk)


def keep_one_per_person(apps: Any, schema_editor: Any) -> None:
    BusySource = apps.get_model("schedule", "BusySource")
    seen: set[tuple[int, str, str]] = set()
    doomed: list[int] = []
    for source in sorted(BusySource.objects.all(), key=_newest_first, reverse=True):
        key = (source.user_id, source.kind, source.url if source.kind == "url" else "")
        if key in seen:
            doomed.append(source.pk)
        else:
            seen.add(key)
    BusySource.objects.filter(pk__in=doomed).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("schedule", "0003_feed_tokens_and_invitation_outbox"),
        ("teams", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="busysource", name="busy_source_one_upload_per_member"
        ),
        migrations.RemoveConstraint(
            model_name="busysource", name="busy_source_url_once_per_member"
        ),
        migrations.RunPython(keep_one_per_person, migrations.RunPython.noop),
    ]

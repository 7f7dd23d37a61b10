"""Creates the database cache table that the API's rate counters use in production
(CACHES["throttle"], FOCUSBOARD_THROTTLE_CACHE=database), so `migrate` is the only step a
deployment runs. A no-op where every cache is in memory (development, tests)."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0003_invitations"),
    ]

    operations = [
        migrations.RunPython(create_cache_tables, migrations.RunPython.noop, elidable=True),
    ]

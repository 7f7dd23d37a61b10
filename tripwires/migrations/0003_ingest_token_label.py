"""Ingest-token labels take the length of every other token label (60): labels written
when the limit was 100 are cut to it first, or PostgreSQL could not shorten the column."""

from django.db import migrations

import core.fields


class Migration(migrations.Migration):
    dependencies = [
        ("tripwires", "0002_text_limits"),
    ]

    operations = [
        core.fields.truncate_overlong("tripwires", ("ingesttoken", "label", 60)),
        migrations.AlterField(
            model_name="ingesttoken",
            name="label",
            field=core.fields.ShownCharField(blank=True, max_length=60),
        ),
    ]

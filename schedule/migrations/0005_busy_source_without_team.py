"""Busy calendars belong to the person: the team column goes, each person has one upload
and each calendar address once (the data was made so by 0003)."""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("schedule", "0004_busy_calendars_belong_to_the_person"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="busysource", options={"ordering": ["user__username", "kind", "pk"]}
        ),
        migrations.RemoveField(model_name="busysource", name="team"),
        migrations.AddConstraint(
            model_name="busysource",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "upload")),
                fields=("user",),
                name="busy_source_one_upload_per_person",
            ),
        ),
        migrations.AddConstraint(
            model_name="busysource",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "url")),
                fields=("user", "url"),
                name="busy_source_url_once_per_person",
            ),
        ),
    ]

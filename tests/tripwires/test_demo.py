"""seed_demo's tripwires: a CTR wire tripped 9 days ago over 120 days of history, one healthy,
one stale; two neutral tests, one not neutral; nothing duplicated on a second run."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tripwires import selectors
from tripwires.models import EventKind, NeutralTest, Observation, Tripwire

pytestmark = pytest.mark.django_db


def test_seed_demo_tripwires(settings, client):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    assert mail.outbox == []  # the replayed history is logged, and emails nobody
    now = timezone.now()
    wires = {t.name: t for t in Tripwire.objects.filter(team__slug="demo")}
    assert {name: t.status_at(now) for name, t in wires.items()} == {
        "CTR": "tripped",
        "NDCG@10": "ok",
        "Latency p95": "stale",
    }
    ctr = wires["CTR"]
    assert ctr.observation_count == 120
    tripped = ctr.events.get(kind=EventKind.TRIPPED)
    assert (now.date() - tripped.at.date()).days == 9
    verdicts = sorted(NeutralTest.objects.values_list("verdict", flat=True))
    assert verdicts == ["neutral", "not_neutral"]
    alarms = selectors.wall_context(ctr.team, now)["alarms"]
    assert alarms[0].startswith("Tripwire CTR: production's lead over the baseline fell from 4.1 %")
    count = Observation.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert Observation.objects.count() == count and NeutralTest.objects.count() == 2
    client.login(username="vic", password="focusboard-demo")
    page = client.get("/t/demo/tripwires/").content.decode()
    assert "Not neutral (p = 0.007)" in page

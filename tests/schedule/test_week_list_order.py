"""The week in words lists each person's blocks day by day, then by time: the days are bands
one under the other, so a block's x alone would put Tuesday 10:30 before Monday 14:00."""

from __future__ import annotations

import os
import re

import pytest
from django.core.management import call_command

from teams.models import Membership

pytestmark = pytest.mark.django_db
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri"]


def test_each_persons_list_runs_day_by_day_then_by_time(client, settings):
    settings.DEBUG = True  # seed_demo refuses otherwise
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    lead = Membership.objects.filter(team__slug="demo", role="lead").first().user
    client.force_login(lead)
    page = client.get("/t/demo/schedule/").content.decode()
    people = [p.split("</section>")[0] for p in page.split('class="week-text-person"')[1:]]
    assert people
    for person in people:
        order = order_of(person)
        assert len(order) == person.count("<li class="), person
        assert order == sorted(order), order
    lead_days = {day for day, _ in order_of(people[0])}
    assert len(lead_days) >= 2, "the demo's first person has blocks on several days"


def order_of(person: str) -> list[tuple[int, str]]:
    items = re.findall(r'<li class="is-[a-z]+">(.*?)</li>', person)
    found = [re.search(r"\b(Mon|Tue|Wed|Thu|Fri) (\d\d:\d\d)", item) for item in items]
    return [(DAYS.index(m[1]), m[2]) for m in found if m]

"""One invitation link opened by several new people at the same instant makes one account and
one membership: the rest get the 410 page. Real threads, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from teams.models import Invitation, Membership, Role
from tests.concurrency import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

THREADS = 6


def test_one_link_opened_at_once_by_six_people_lets_one_in(people):
    _, secret = Invitation.issue(
        team=people.team,
        role=Role.MEMBER,
        invited_by=people.lead,
        expires_at=timezone.now() + timedelta(days=1),
    )
    results = race(
        THREADS,
        lambda i: Client().post(
            f"/invite/{secret}/",
            {"name": f"Person {i}", "username": f"new{i}", "password": "a long horse staple"},
        ),
    )
    codes = Counter(getattr(r, "status_code", repr(r)) for r in results)
    assert codes == {302: 1, 410: THREADS - 1}, codes
    newcomers = User.objects.filter(username__startswith="new")
    assert newcomers.count() == 1
    assert Membership.objects.filter(team=people.team, user__in=newcomers).count() == 1

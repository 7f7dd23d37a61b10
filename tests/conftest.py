from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AbstractUser
from rest_framework.test import APIClient

from teams.models import Role, Team

from .factories import MembershipFactory, TeamFactory, UserFactory


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test is a failure: a browser or PostgreSQL test that did not run
    proves nothing, and a skip usually hides a missing dependency."""
    if not os.environ.get("CI"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        names = ", ".join(report.nodeid for report in skipped[:10])
        if reporter:
            reporter.write_line(f"CI: {len(skipped)} skipped test(s) count as failures: {names}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@dataclass
class TeamPeople:
    team: Team
    lead: AbstractUser
    member: AbstractUser
    viewer: AbstractUser
    outsider: AbstractUser

    def user(self, who: str) -> AbstractUser | None:
        return None if who == "anonymous" else getattr(self, who)


@pytest.fixture
def people(db) -> TeamPeople:
    """A team with a lead, a member and a viewer, and an outsider leading another team. Their
    names differ from their usernames, so a page that shows a username where people read a
    name is caught (display names: Lena Petrova, Marco Rossi, Vera, Otto)."""
    team = TeamFactory(slug="ml", name="ML Team")

    def person(team: Team, role: str, username: str, first: str, last: str = "") -> AbstractUser:
        return MembershipFactory(
            team=team,
            role=role,
            user__username=username,
            user__first_name=first,
            user__last_name=last,
        ).user

    lead = person(team, Role.LEAD, "lead", "Lena", "Petrova")
    member = person(team, Role.MEMBER, "member", "Marco", "Rossi")
    viewer = person(team, Role.VIEWER, "viewer", "Vera")
    # The outsider leads a team of their own, so "404" cannot come from having no team at all.
    outsider = person(TeamFactory(slug="other", name="Other"), Role.LEAD, "outsider", "Otto")
    return TeamPeople(team, lead, member, viewer, outsider)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def as_user(api: APIClient):
    def login(user: AbstractUser | None) -> APIClient:
        api.logout()
        if user is not None:
            api.force_authenticate(user=user)
        return api

    return login


@pytest.fixture
def user(db) -> AbstractUser:
    return UserFactory(username="someone")

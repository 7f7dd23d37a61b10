from __future__ import annotations

import pytest

from teams.models import Membership, Role
from tests.conftest import TeamPeople
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def lead_membership(people: TeamPeople) -> Membership:
    return Membership.objects.get(team=people.team, user=people.lead)


def test_admin_cannot_demote_the_last_lead(admin_client, people):
    membership = lead_membership(people)
    response = admin_client.post(
        f"/admin/teams/membership/{membership.pk}/change/", {"role": "member"}
    )
    assert response.status_code == 200
    assert "the only lead of ML Team" in response.content.decode()
    assert lead_membership(people).role == Role.LEAD


def test_admin_cannot_delete_the_last_lead(admin_client, people):
    membership = lead_membership(people)
    response = admin_client.post(
        f"/admin/teams/membership/{membership.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_admin_bulk_delete_of_every_lead_keeps_one(admin_client, people):
    """Each of two leads may go on their own, but not both: the bulk delete goes through
    the service one by one and stops at the last lead."""
    Membership.objects.filter(team=people.team, user=people.member).update(role=Role.LEAD)
    leads = list(Membership.objects.filter(team=people.team, role=Role.LEAD).order_by("pk"))
    response = admin_client.post(
        "/admin/teams/membership/",
        {"action": "delete_selected", "_selected_action": [m.pk for m in leads], "post": "yes"},
        follow=True,
    )
    assert "is the only lead of ML Team" in response.content.decode()
    assert Membership.objects.filter(team=people.team, role=Role.LEAD).count() == 1


def test_admin_changes_other_roles_through_the_service(admin_client, people):
    member = Membership.objects.get(team=people.team, user=people.member)
    response = admin_client.post(f"/admin/teams/membership/{member.pk}/change/", {"role": "lead"})
    assert response.status_code == 302
    # With a second lead, the first may now step down, and a member may be removed.
    lead = lead_membership(people)
    assert (
        admin_client.post(
            f"/admin/teams/membership/{lead.pk}/change/", {"role": "viewer"}
        ).status_code
        == 302
    )
    assert lead_membership(people).role == Role.VIEWER
    assert (
        admin_client.post(f"/admin/teams/membership/{lead.pk}/delete/", {"post": "yes"}).status_code
        == 302
    )
    assert not Membership.objects.filter(pk=lead.pk).exists()


def test_team_page_lists_memberships_read_only(admin_client, people):
    body = admin_client.get(f"/admin/teams/team/{people.team.pk}/change/").content.decode()
    assert "lead" in body
    assert 'name="memberships-0-role"' not in body  # no editable role in the inline

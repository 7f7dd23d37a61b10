"""Revokes and removals that cannot be undone ask first (a page, with and without JS);
removing a member offers an Undo that puts back exactly that person and role."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from core import undo
from focusboard.models import KioskToken
from milestones.models import CriteriaToken
from schedule.models import BusySource, FeedToken
from teams.models import Invitation, Membership, Role
from tests.factories import MembershipFactory, TeamFactory
from tripwires.models import IngestToken

pytestmark = pytest.mark.django_db


def _kiosk(people):
    token, _ = KioskToken.issue(team=people.team, label="Team room", created_by=people.lead)
    return f"/t/ml/settings/kiosk/{token.pk}/revoke/", lambda: KioskToken.objects.live().exists()


def _invitation(people):
    invitation, _ = Invitation.issue(
        team=people.team,
        role=Role.MEMBER,
        invited_by=people.lead,
        expires_at=timezone.now() + timedelta(days=1),
    )
    return (
        f"/t/ml/settings/invitations/{invitation.pk}/revoke/",
        lambda: Invitation.objects.filter(revoked_at__isnull=True).exists(),
    )


def _feed(people):
    token, _ = FeedToken.issue(user=people.lead, scope="personal")
    return f"/me/feeds/{token.pk}/revoke/", lambda: FeedToken.objects.live().exists()


def _calendar(people):
    source = BusySource.objects.create(
        user=people.lead, kind="url", url="https://calendar.example/private-abc.ics"
    )
    return f"/me/calendars/{source.pk}/delete/", lambda: BusySource.objects.exists()


def _criteria(people):
    from milestones import services as milestone_services

    vision = milestone_services.vision_create(
        team=people.team,
        actor=people.lead,
        title="Ranking that users trust",
        problem="Search results ignore what users click.",
        starts_on=timezone.localdate() - timedelta(days=10),
    )
    token, _ = milestone_services.criteria_token_create(
        vision=vision, actor=people.lead, label="nightly eval"
    )
    return (
        f"/t/ml/vision/tokens/{token.pk}/revoke/",
        lambda: CriteriaToken.objects.filter(revoked_at__isnull=True).exists(),
    )


def _ingest(people):
    from tripwires import services as tripwire_services

    tripwire = tripwire_services.tripwire_create(
        team=people.team,
        actor=people.lead,
        name="CTR",
        metric="click-through rate",
        unit="%",
        reference_window=7,
        expected_interval_hours=24 * 31,
    )
    token, _ = tripwire_services.ingest_token_issue(
        tripwire=tripwire, actor=people.lead, label="ci"
    )
    return (
        f"/t/ml/tripwires/{tripwire.pk}/tokens/{token.pk}/revoke/",
        lambda: IngestToken.objects.filter(revoked_at__isnull=True).exists(),
    )


CONFIRMED = {
    "kiosk": (_kiosk, "Revoke the wall screen “Team room”?"),
    "invitation": (_invitation, "Withdraw this invitation?"),
    "feed": (_feed, "Revoke this feed address?"),
    "calendar": (_calendar, "Remove "),
    "criteria": (_criteria, "Revoke the pipeline token “nightly eval”?"),
    "ingest": (_ingest, "Revoke this ingest token?"),
}


@pytest.mark.parametrize("case", list(CONFIRMED))
def test_revoke_and_remove_ask_first(client, people, case):
    make, question = CONFIRMED[case]
    url, alive = make(people)
    client.force_login(people.lead)
    asked = client.post(url)
    body = asked.content.decode()
    assert asked.status_code == 200 and question in body
    assert "This cannot be undone." in body
    assert f'action="{url}"' in body and 'name="confirmed" value="yes"' in body
    assert alive(), "nothing happens before the person confirms"
    done = client.post(url, {"confirmed": "yes"})
    assert done.status_code == 302
    assert not alive()


# --- Remove member, and its undo -----------------------------------------------------------


def _undo_field(body: str) -> str:
    return body.split('name="undo" value="')[1].split('"')[0]


def test_remove_member_offers_an_undo_that_restores_the_role(client, people):
    client.force_login(people.lead)
    client.post("/t/ml/settings/members/viewer/", {"action": "remove"})
    assert not Membership.objects.filter(user=people.viewer).exists()
    body = client.get("/t/ml/settings/").content.decode()
    assert "Vera left ML Team." in body and 'role="status"' in body
    assert 'aria-label="Undo: remove Vera"' in body
    assert 'action="/t/ml/settings/undo-remove/"' in body
    token = _undo_field(body)
    # Shown once: the next page has no toast.
    assert "Vera left ML Team." not in client.get("/t/ml/settings/").content.decode()
    response = client.post("/t/ml/settings/undo-remove/", {"undo": token}, follow=True)
    assert "Vera is back in ML Team as viewer." in response.content.decode()
    assert Membership.objects.get(user=people.viewer).role == Role.VIEWER
    # The same undo again: the person is back already.
    again = client.post("/t/ml/settings/undo-remove/", {"undo": token})
    assert again.status_code == 409
    assert "viewer is already back in ML Team (as viewer)" in again.content.decode()


def test_member_undo_is_refused_when_late_or_forged_or_from_another_team(client, people):
    client.force_login(people.lead)
    client.post("/t/ml/settings/members/member/", {"action": "remove"})
    token = _undo_field(client.get("/t/ml/settings/").content.decode())
    with mock.patch("time.time", return_value=__import__("time").time() + undo.UNDO_SECONDS + 5):
        late = client.post("/t/ml/settings/undo-remove/", {"undo": token})
    assert late.status_code == 409 and "too late to undo this removal" in late.content.decode()
    forged = undo.sign_undo("member", team=people.team.pk, user=people.member.pk, role="lead")
    tampered = client.post("/t/ml/settings/undo-remove/", {"undo": forged[:-2] + "xx"})
    assert tampered.status_code == 409 and "not valid" in tampered.content.decode()
    other = TeamFactory(slug="side")
    MembershipFactory(team=other, user=people.lead, role=Role.LEAD)
    elsewhere = client.post("/t/side/settings/undo-remove/", {"undo": token})
    assert elsewhere.status_code == 404
    assert not Membership.objects.filter(user=people.member).exists()


def test_member_undo_after_the_account_was_deleted_is_a_409_sentence(client, people):
    client.force_login(people.lead)
    client.post("/t/ml/settings/members/member/", {"action": "remove"})
    token = _undo_field(client.get("/t/ml/settings/").content.decode())
    people.member.delete()
    response = client.post("/t/ml/settings/undo-remove/", {"undo": token})
    assert response.status_code == 409
    assert "account no longer exists" in response.content.decode()
    assert not Membership.objects.filter(team=people.team, user__username="member").exists()


WHO = ["anonymous", "outsider", "viewer", "member", "lead"]


@pytest.mark.parametrize("who", WHO)
def test_member_undo_role_matrix(client, people, who):
    gone = MembershipFactory(team=people.team, role=Role.MEMBER, user__username="gone")
    token = undo.sign_undo("member", team=people.team.pk, user=gone.user_id, role=Role.MEMBER)
    gone.delete()
    if (user := people.user(who)) is not None:
        client.force_login(user)
    response = client.post("/t/ml/settings/undo-remove/", {"undo": token})
    expected = {"anonymous": 302, "outsider": 404, "viewer": 403, "member": 403, "lead": 302}
    assert response.status_code == expected[who]
    back = Membership.objects.filter(team=people.team, user__username="gone").exists()
    assert back == (who == "lead")

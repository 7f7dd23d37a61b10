"""A focus item says why it matters: the milestone it moves towards, with its soft date on the
card. Linked from the board and the API, never across teams."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from focusboard import services
from focusboard.models import FocusEvent, FocusItem
from milestones.checklist import milestone_create
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/teams/ml/focus-items/"


@pytest.fixture
def aim(people):
    return milestone_create(
        team=people.team,
        actor=people.lead,
        title="Click model in shadow",
        target_date=date(2030, 3, 15),
        precision="month",
    )


@pytest.fixture
def elsewhere(people):
    other = TeamFactory(slug="elsewhere")
    return milestone_create(
        team=other, actor=people.outsider, title="Their milestone", target_date=date(2030, 3, 15)
    )


def test_the_api_links_a_new_item_and_a_patch_changes_the_link(people, as_user, aim):
    client = as_user(people.member)
    created = client.post(URL, {"title": "Calibrate per country", "milestone": aim.pk})
    assert created.status_code == 201, created.content
    assert created.json()["milestone"] == aim.pk
    item = FocusItem.objects.get(pk=created.json()["id"])
    assert item.milestone == aim

    cleared = client.patch(f"{URL}{item.pk}/", {"milestone": None}, format="json")
    assert cleared.status_code == 200 and cleared.json()["milestone"] is None
    edit = FocusEvent.objects.filter(item=item, kind="edited").get()
    assert edit.detail["changes"] == {"milestone": {"from": aim.pk, "to": None}}


def test_another_teams_milestone_is_refused_and_nothing_changes(people, as_user, aim, elsewhere):
    client = as_user(people.member)
    refused = client.post(URL, {"title": "Sneaky", "milestone": elsewhere.pk})
    assert refused.status_code == 400 and "milestone" in refused.json()
    assert not FocusItem.objects.filter(title="Sneaky").exists()

    item = services.focus_item_add(team=people.team, actor=people.lead, title="Ours", milestone=aim)
    patched = client.patch(f"{URL}{item.pk}/", {"milestone": elsewhere.pk}, format="json")
    assert patched.status_code == 400
    item.refresh_from_db()
    assert item.milestone == aim

    # The service refuses it too, whoever calls it.
    with pytest.raises(ValidationError, match="another team"):
        services.focus_item_add(team=people.team, actor=people.lead, title="X", milestone=elsewhere)


def test_the_card_shows_its_milestone_and_soft_date_and_the_board_links_it(client, people, aim):
    client.force_login(people.member)
    added = client.post("/t/ml/items/", {"title": "Calibrate per country", "milestone": aim.pk})
    assert added.status_code == 302
    item = FocusItem.objects.get(title="Calibrate per country")
    assert item.milestone == aim
    body = client.get("/t/ml/").content.decode()
    assert "Towards" in body and "Click model in shadow" in body
    assert aim.soft_date in body and aim.soft_date.startswith("~ ")
    assert f"/t/ml/milestones/{aim.pk}/" in body


def test_the_milestone_page_lists_the_topics_towards_it(client, people, aim):
    client.force_login(people.viewer)
    page = f"/t/ml/milestones/{aim.pk}/"
    assert "No focus topic is linked to it yet" in client.get(page).content.decode()
    services.focus_item_add(team=people.team, actor=people.lead, title="Calibrate", milestone=aim)
    body = client.get(page).content.decode()
    assert "Calibrate" in body and "(active)" in body


def test_a_closed_milestone_cannot_be_linked_through_any_path(people, as_user, aim):
    from milestones.checklist import milestone_update

    milestone_update(milestone=aim, actor=people.lead, fields={"status": "dropped"})
    aim.refresh_from_db()
    refused = as_user(people.member).post(URL, {"title": "Late", "milestone": aim.pk})
    assert refused.status_code == 400 and "link an open milestone" in str(refused.json())
    assert not FocusItem.objects.filter(title="Late").exists()
    with pytest.raises(ValidationError, match="open milestone"):
        services.focus_item_add(team=people.team, actor=people.lead, title="X", milestone=aim)

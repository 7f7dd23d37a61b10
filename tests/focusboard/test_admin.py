from __future__ import annotations

import pytest

from focusboard.models import FocusEvent, FocusItem
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_admin_cannot_add_items_or_change_status(admin_client, full_board):
    active, _ = full_board
    assert admin_client.get("/admin/focusboard/focusitem/add/").status_code == 403
    response = admin_client.post(
        f"/admin/focusboard/focusitem/{active[0].pk}/change/",
        {"title": "Fixed typo", "why": "", "owner": "", "status": "done"},
    )
    assert response.status_code == 302
    item = FocusItem.objects.get(pk=active[0].pk)
    assert (item.title, item.status) == ("Fixed typo", "active")
    # The edit went through the service: it is in the log, with the admin as actor.
    event = FocusEvent.objects.filter(item=item).last()
    assert (event.kind, event.actor.username) == ("edited", "root")


def test_admin_cannot_delete_items_or_touch_events(admin_client, full_board):
    active, _ = full_board
    assert (
        admin_client.post(
            f"/admin/focusboard/focusitem/{active[0].pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    event = FocusEvent.objects.first()
    assert (
        admin_client.post(
            f"/admin/focusboard/focusevent/{event.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert admin_client.get("/admin/focusboard/focusevent/").status_code == 200
    assert FocusItem.objects.count() == 5

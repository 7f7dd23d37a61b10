from __future__ import annotations

import pytest

from milestones import services
from milestones.models import (
    CharterChange,
    CriterionValue,
    Milestone,
    QuarterlyReview,
    Target,
    TargetRevision,
    Vision,
)
from tests.factories import UserFactory

from .conftest import today_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_the_admin_cannot_change_history_or_bypass_the_rules(admin_client, people, vision):
    review = services.review_record(
        vision=vision,
        actor=people.lead,
        held_on=today_of(people.team),
        outcome="met",
        evidence="e",
        still_right_problem=True,
        next_target_text="Next",
    )
    revision = TargetRevision.objects.first()
    rows = {
        "quarterlyreview": review,
        "targetrevision": revision,
        "criterionvalue": CriterionValue.objects.first(),
        "charterchange": CharterChange.objects.first(),
        "vision": vision,
    }
    for name, row in rows.items():
        base = f"/admin/milestones/{name}/"
        assert admin_client.get(base).status_code == 200, name  # positive control: listed
        assert admin_client.get(base + "add/").status_code == 403, name
        change = admin_client.post(f"{base}{row.pk}/change/", {"text": "x", "snapshot": "{}"})
        assert change.status_code == 403, name
        delete = admin_client.post(f"{base}{row.pk}/delete/", {"post": "yes"})
        assert delete.status_code == 403, name
    # Bulk delete from the changelist is not offered either.
    response = admin_client.post(
        "/admin/milestones/targetrevision/",
        {"action": "delete_selected", "_selected_action": [revision.pk], "post": "yes"},
    )
    assert TargetRevision.objects.filter(pk=revision.pk).exists()
    assert response.status_code in (200, 302)
    assert QuarterlyReview.objects.get(pk=review.pk).snapshot == review.snapshot
    assert Vision.objects.count() == 1 and Target.objects.count() == 2


def test_the_admin_cannot_complete_a_milestone_or_touch_its_checklist(
    admin_client, people, milestone, practices
):
    url = f"/admin/milestones/milestone/{milestone.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200 and "Ranker v2 in shadow" in page.content.decode()
    posted = admin_client.post(url, {"status": "done", "title": milestone.title})
    assert posted.status_code == 403
    changelist = admin_client.post(
        "/admin/milestones/milestone/",
        {"action": "delete_selected", "_selected_action": [milestone.pk]},
    )
    assert changelist.status_code in (200, 302, 403)
    milestone.refresh_from_db()
    assert (milestone.status, milestone.done_at) == ("planned", None)
    item = f"/admin/milestones/nonnegotiable/{practices[0].pk}/delete/"
    assert admin_client.post(item, {"post": "yes"}).status_code == 403
    assert Milestone.objects.filter(pk=milestone.pk).exists()

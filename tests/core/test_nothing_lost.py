"""Nothing a person can reach hard-deletes a focus item, milestone, revision, slip, review,
check, meeting, tripwire or observation (or the rest of a team's history): not the admin, not
an API DELETE, not a page, not a service. Each check has a positive control."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.test import RequestFactory
from drf_spectacular.generators import SchemaGenerator

from milestones import services as milestone_services
from milestones.models import Check, Milestone, NonNegotiable
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
OURS = ["core", "teams", "milestones", "focusboard", "schedule", "tripwires"]

# What must never be hard-deleted from a reachable path.
HISTORY = {
    "teams.Team",
    "focusboard.FocusItem",
    "focusboard.FocusEvent",
    "milestones.Vision",
    "milestones.CharterChange",
    "milestones.DoneCriterion",
    "milestones.CriterionValue",
    "milestones.Target",
    "milestones.TargetRevision",
    "milestones.QuarterlyReview",
    "milestones.Milestone",
    "milestones.MilestoneSlip",
    "milestones.NonNegotiable",
    "milestones.NonNegotiableVersion",
    "milestones.Check",
    "schedule.Meeting",
    "tripwires.Tripwire",
    "tripwires.Observation",
    "tripwires.TripwireEvent",
    "tripwires.NeutralTest",
}

# Every DELETE the API offers, and why it loses nothing. A new one fails the test below.
API_DELETES = {
    "/api/v1/teams/{team_slug}/members/{username}/": "ends a membership; history keeps names",
    "/api/v1/teams/{team_slug}/invitations/{id}/": "revokes an invitation (kept, revoked)",
    "/api/v1/teams/{team_slug}/visions/{vision_id}/criteria-tokens/{token_id}/": "revokes",
    "/api/v1/teams/{team_slug}/milestones/{milestone_id}/checks/{non_negotiable_id}/": (
        "unchecks: the check stays, with unchecked_at and unchecked_by"
    ),
    "/api/v1/teams/{team_slug}/busy-sources/{id}/": "a person's own calendar, not history",
    "/api/v1/me/calendars/{id}/": "a person's own calendar, not history",
    "/api/v1/me/feeds/{id}/": "revokes a feed address (kept, revoked)",
    "/api/v1/teams/{team_slug}/tripwires/{tripwire_pk}/ingest-tokens/{id}/": "revokes",
}

# Every `.delete()` in the code, by file and function, and why it loses nothing.
SERVICE_DELETES = {
    ("teams/services.py", "membership_remove"): "a membership, not history",
    # A meeting's current attendee list; the meeting stays and its sequence grows.
    ("schedule/services.py", "_set_attendees"): "attendees rewritten when a meeting changes",
    ("schedule/services.py", "_store_intervals"): "imported busy time replaced by a new import",
    ("schedule/services.py", "busy_source_delete"): "a person's own calendar",
    ("tripwires/services.py", "alert_subscription_set"): "an alert subscription",
}


def cascade_reach(model: type[models.Model], seen: set[type[models.Model]] | None = None) -> set:
    """Every model whose rows deleting a row of `model` would delete (CASCADE, recursively)."""
    seen = set() if seen is None else seen
    for rel in model._meta.related_objects:
        if rel.on_delete is models.CASCADE and rel.related_model not in seen:
            seen.add(rel.related_model)
            cascade_reach(rel.related_model, seen)
    return seen


def labels(found: set) -> set[str]:
    return {m._meta.label for m in found}


@pytest.fixture
def superuser_request(db):
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    return request


def test_the_admin_cannot_delete_history_directly_or_by_cascade(superuser_request):
    deletable = {
        model._meta.label: model
        for model, model_admin in admin.site._registry.items()
        if model_admin.has_delete_permission(superuser_request)
    }
    wrong = {
        label: sorted((labels(cascade_reach(model)) | {label}) & HISTORY)
        for label, model in deletable.items()
        if (labels(cascade_reach(model)) | {label}) & HISTORY
    }
    assert not wrong, f"the admin can delete history: {wrong}"
    # Positive control: the walk sees what deleting a team or a person would take with it.
    team = apps.get_model("teams.Team")
    assert {"focusboard.FocusItem", "tripwires.Observation"} <= labels(cascade_reach(team))
    user = apps.get_model("auth.User")
    assert "schedule.MeetingAttendee" in labels(cascade_reach(user))  # why people are kept
    # ...and the permission check sees a model that may be deleted (a person's calendar).
    assert "schedule.BusySource" in deletable
    for label in ("teams.Team", "auth.User", "tripwires.Tripwire", "milestones.CriteriaToken"):
        assert label not in deletable, label


def test_every_api_delete_is_known_and_loses_nothing():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    deletes = {path for path, ops in schema["paths"].items() if "delete" in ops}
    assert deletes, "the schema lists no DELETE at all: the check would prove nothing"
    unknown = deletes - set(API_DELETES)
    assert not unknown, (
        f"New DELETE endpoints {sorted(unknown)}: if they remove history, make them a status "
        "change instead; otherwise add them to API_DELETES with the reason."
    )
    assert not set(API_DELETES) - deletes, "API_DELETES lists endpoints that are gone"


def _deletes_in_code() -> set[tuple[str, str]]:
    found = set()
    for app in OURS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text())
            for func in ast.walk(tree):
                if not isinstance(func, ast.FunctionDef):
                    continue
                for node in ast.walk(func):
                    is_call = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    if is_call and node.func.attr == "delete" and not node.args:
                        found.add((str(path.relative_to(ROOT)), func.name))
    return found


def test_every_delete_in_the_code_is_known():
    found = _deletes_in_code()
    assert found == set(SERVICE_DELETES), (
        f"New .delete() calls: {sorted(found - set(SERVICE_DELETES))}; gone: "
        f"{sorted(set(SERVICE_DELETES) - found)}. A team's history is changed by status, "
        "never deleted; if this one removes something else, add it to SERVICE_DELETES."
    )


def test_unchecking_keeps_the_check(people):
    milestone = Milestone.objects.create(
        team=people.team, title="Ship", target_date="2030-01-07", created_by=people.lead
    )
    item = NonNegotiable.objects.create(team=people.team, title="Tests pass")
    milestone_services.check_set(milestone=milestone, non_negotiable=item, actor=people.member)
    milestone_services.check_remove(milestone=milestone, non_negotiable=item, actor=people.lead)
    assert Check.objects.filter(milestone=milestone).count() == 0  # it no longer counts
    (kept,) = Check.all_objects.filter(milestone=milestone)  # but it is there
    assert kept.unchecked_at and kept.unchecked_by == people.lead
    assert kept.checked_by == people.member
    # Checking again makes a new live check beside the old one.
    milestone_services.check_set(milestone=milestone, non_negotiable=item, actor=people.member)
    assert Check.objects.filter(milestone=milestone).count() == 1
    assert Check.all_objects.filter(milestone=milestone).count() == 2


def test_an_api_uncheck_keeps_the_check(people, as_user):
    milestone = Milestone.objects.create(
        team=people.team, title="Ship", target_date="2030-01-07", created_by=people.lead
    )
    item = NonNegotiable.objects.create(team=people.team, title="Tests pass")
    url = f"/api/v1/teams/ml/milestones/{milestone.pk}/checks/{item.pk}/"
    assert as_user(people.member).put(url, {}, format="json").status_code == 200
    assert as_user(people.member).delete(url).status_code == 204
    assert Check.all_objects.filter(milestone=milestone, unchecked_by=people.member).exists()

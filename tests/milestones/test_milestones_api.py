from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model

from core.rules import RuleViolation
from milestones import services
from milestones.models import (
    Check,
    Milestone,
    MilestoneSlip,
    MilestoneStatus,
    NonNegotiable,
    NonNegotiableVersion,
)

from .conftest import today_of

pytestmark = pytest.mark.django_db

M = "/api/v1/teams/ml/milestones/"
NN = "/api/v1/teams/ml/non-negotiables/"
WHO = ["anonymous", "outsider", "viewer", "member", "lead"]


def state(milestone: Milestone) -> tuple:
    milestone.refresh_from_db()
    return (
        milestone.status,
        milestone.done_at,
        milestone.target_date,
        milestone.precision,
        MilestoneSlip.objects.filter(milestone=milestone).count(),
        Check.objects.filter(milestone=milestone).count(),
    )


def test_create_answers_the_soft_date_and_checklist_progress(people, as_user, practices):
    response = as_user(people.member).post(
        M, {"title": "Shadow launch", "target_date": "2027-03-11", "precision": "week"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["soft_date"] == "~ week of Mar 8"
    assert (body["status"], body["checks_done"], body["checks_total"]) == ("planned", 0, 2)
    assert body["missing"] == ["Unit tests", "Design doc"]
    assert (body["slip_count"], body["moved"], body["passed"]) == (0, "", None)


def test_a_passed_date_is_neutral_and_nothing_closes(people, as_user):
    long_ago = today_of(people.team) - timedelta(days=60)
    created = as_user(people.member).post(
        M, {"title": "Old", "target_date": long_ago.isoformat(), "precision": "day"}
    )
    body = as_user(people.member).get(f"{M}{created.json()['id']}/").json()
    assert body["status"] == "planned"
    assert body["passed"].startswith("aimed for ~ ") and body["passed"].endswith("re-aim?")
    assert "overdue" not in str(body).lower()


def test_moving_the_date_needs_a_reason_and_changes_nothing_without_one(people, as_user, milestone):
    before = state(milestone)
    response = as_user(people.member).patch(f"{M}{milestone.pk}/", {"target_date": "2027-04-20"})
    assert response.status_code == 409
    assert response.json()["code"] == "reason_required"
    assert state(milestone) == before


def test_each_move_appends_a_slip_and_the_third_needs_a_basis(people, as_user, milestone):
    client = as_user(people.member)
    url = f"{M}{milestone.pk}/"
    for new, reason in [("2027-03-29", "Data late"), ("2027-04-19", "Infra migration")]:
        assert client.patch(url, {"target_date": new, "reason": reason}).status_code == 200
    body = client.get(url).json()
    assert body["slip_count"] == 2
    assert body["moved"] == "moved 2\N{MULTIPLICATION SIGN} (+5 weeks)"
    before = state(milestone)
    third = client.patch(url, {"target_date": "2027-05-03", "reason": "Again"})
    assert third.status_code == 409 and "based on" in third.json()["detail"]
    assert state(milestone) == before
    ok = client.patch(
        url, {"target_date": "2027-05-03", "reason": "Again", "basis": "Cut the A/B dashboard"}
    )
    assert ok.status_code == 200
    slips = client.get(url + "slips/").json()
    assert [(s["old_date"], s["new_date"], s["author"]) for s in slips] == [
        ("2027-03-15", "2027-03-29", "member"),
        ("2027-03-29", "2027-04-19", "member"),
        ("2027-04-19", "2027-05-03", "member"),
    ]
    assert slips[-1]["basis"] == "Cut the A/B dashboard"


def test_slips_and_versions_are_append_only(people, milestone, practices):
    services.milestone_update(
        milestone=milestone,
        actor=people.lead,
        fields={"target_date": date(2027, 4, 1)},
        reason="Late data",
    )
    slip = MilestoneSlip.objects.get()
    version = NonNegotiableVersion.objects.first()
    for row in (slip, version):
        with pytest.raises(TypeError):
            row.save()
        with pytest.raises(TypeError):
            row.delete()
    with pytest.raises(TypeError):
        MilestoneSlip.objects.update(reason="rewritten")
    with pytest.raises(TypeError):
        NonNegotiableVersion.objects.all().delete()
    with pytest.raises(TypeError):
        practices[0].delete()
    assert MilestoneSlip.objects.get().reason == "Late data"


def check(client, milestone, item, evidence=""):
    return client.put(f"{M}{milestone.pk}/checks/{item.pk}/", {"evidence": evidence})


def test_complete_is_refused_with_the_missing_titles_until_every_item_is_checked(
    people, as_user, milestone, practices
):
    client = as_user(people.lead)
    url = f"{M}{milestone.pk}/complete/"
    refused = client.post(url)
    assert refused.status_code == 409
    assert refused.json()["code"] == "non_negotiables_unmet"
    assert refused.json()["missing"] == ["Unit tests", "Design doc"]
    assert (
        check(client, milestone, practices[0], "https://ci.example.com/run/42").status_code == 200
    )
    before = state(milestone)
    again = client.post(url)
    assert again.status_code == 409 and again.json()["missing"] == ["Design doc"]
    assert state(milestone) == before
    assert check(client, milestone, practices[1]).status_code == 200
    done = client.post(url)
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done" and done.json()["done_at"]


def test_a_new_non_negotiable_applies_to_open_milestones_and_a_retired_one_stops(
    people, as_user, milestone, practices
):
    client = as_user(people.lead)
    check(client, milestone, practices[0], "note: 120 tests, all green")
    check(client, milestone, practices[1])
    created = client.post(NN, {"title": "A/A test before every experiment"})
    assert created.status_code == 201
    assert client.post(f"{M}{milestone.pk}/complete/").json()["missing"] == [
        "A/A test before every experiment"
    ]
    retired = client.patch(f"{NN}{created.json()['id']}/", {"retired": True}, format="json")
    assert retired.json()["retired"] is True
    assert NonNegotiable.objects.filter(pk=created.json()["id"]).exists()
    assert client.post(f"{M}{milestone.pk}/complete/").status_code == 200


def test_the_service_refuses_a_superuser_too(people, milestone, practices):
    boss = get_user_model().objects.create_superuser("boss", "b@example.com", "pw")
    with pytest.raises(RuleViolation) as refused:
        services.milestone_complete(milestone=milestone, actor=boss)
    assert refused.value.extra["missing"] == ["Unit tests", "Design doc"]
    assert state(milestone)[0] == "planned"


def test_a_bulk_update_cannot_complete_and_status_done_is_refused(
    people, as_user, milestone, practices
):
    with pytest.raises(TypeError):
        Milestone.objects.filter(pk=milestone.pk).update(status=MilestoneStatus.DONE)
    response = as_user(people.lead).patch(f"{M}{milestone.pk}/", {"status": "done"})
    assert response.status_code == 400
    assert state(milestone)[0] == "planned"


@pytest.mark.parametrize(
    "evidence",
    ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,hi", "ftp://x.example/a"],
)
def test_evidence_is_an_http_link_or_a_note_never_another_scheme(
    people, as_user, milestone, practices, evidence
):
    response = check(as_user(people.member), milestone, practices[0], evidence)
    assert response.status_code == 400
    assert "http" in str(response.json()["evidence"])
    assert Check.objects.count() == 0


def test_evidence_is_required_where_the_non_negotiable_says_so(
    people, as_user, milestone, practices
):
    client = as_user(people.member)
    assert check(client, milestone, practices[0]).status_code == 400
    assert check(client, milestone, practices[1]).status_code == 200
    link = check(client, milestone, practices[0], "https://ci.example.com/1").json()
    assert (link["evidence_url"], link["evidence_note"]) == ("https://ci.example.com/1", "")
    unchecked = client.delete(f"{M}{milestone.pk}/checks/{practices[1].pk}/")
    assert unchecked.status_code == 204
    assert [c["title"] for c in client.get(f"{M}{milestone.pk}/checks/").json()] == ["Unit tests"]


def test_a_reworded_non_negotiable_is_a_new_version_and_old_checks_say_so(
    people, as_user, milestone, practices
):
    client = as_user(people.lead)
    check(client, milestone, practices[1])
    response = client.patch(f"{NN}{practices[1].pk}/", {"title": "Design doc, reviewed"})
    assert response.json()["version"] == 2
    assert list(
        NonNegotiableVersion.objects.filter(non_negotiable=practices[1]).values_list(
            "version", "title"
        )
    ) == [(1, "Design doc"), (2, "Design doc, reviewed")]
    [made] = [c for c in client.get(f"{M}{milestone.pk}/checks/").json()]
    assert (made["version"], made["current_version"], made["against_previous_version"]) == (
        1,
        2,
        True,
    )
    moved = client.patch(f"{NN}{practices[1].pk}/", {"position": 5})
    assert moved.json()["version"] == 2  # reordering is not a new wording


def test_another_teams_target_and_non_negotiable_are_refused(people, as_user, milestone):
    other = services.non_negotiable_add(
        team=people.outsider.memberships.get().team, actor=people.outsider, title="Theirs"
    )
    client = as_user(people.member)
    assert check(client, milestone, other).status_code == 404
    response = client.post(M, {"title": "X", "target_date": "2027-01-01", "target": 999999})
    assert response.status_code == 400 and "target" in response.json()


def test_the_list_costs_the_same_queries_however_long(
    people, as_user, practices, django_assert_max_num_queries
):
    client = as_user(people.member)

    def grow(n: int) -> None:
        for k in range(n):
            m = services.milestone_create(
                team=people.team, actor=people.lead, title=f"M{k}", target_date=date(2027, 1, 1)
            )
            services.check_set(milestone=m, non_negotiable=practices[1], actor=people.lead)
            services.milestone_update(
                milestone=m,
                actor=people.lead,
                fields={"target_date": date(2027, 2, 1)},
                reason="r",
            )

    grow(2)
    with django_assert_max_num_queries(6) as small:
        assert len(client.get(M).json()["results"]) == 2
    grow(8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get(M).json()["results"]) == 10


@pytest.mark.parametrize("who", WHO)
def test_role_matrix(people, as_user, milestone, practices, who):
    m, item = milestone.pk, practices[1].pk
    rows = [
        ("get", M, None, [401, 404, 200, 200, 200]),
        ("post", M, {"title": "N", "target_date": "2027-06-01"}, [401, 404, 403, 201, 201]),
        ("get", f"{M}{m}/", None, [401, 404, 200, 200, 200]),
        ("patch", f"{M}{m}/", {"title": "Renamed"}, [401, 404, 403, 200, 200]),
        ("get", f"{M}{m}/slips/", None, [401, 404, 200, 200, 200]),
        ("get", f"{M}{m}/checks/", None, [401, 404, 200, 200, 200]),
        ("put", f"{M}{m}/checks/{item}/", {"evidence": ""}, [401, 404, 403, 200, 200]),
        ("delete", f"{M}{m}/checks/{item}/", None, [401, 404, 403, 204, 204]),
        ("post", f"{M}{m}/complete/", None, [401, 404, 403, 409, 409]),
        ("get", NN, None, [401, 404, 200, 200, 200]),
        ("post", NN, {"title": "Runbooks"}, [401, 404, 403, 403, 201]),
        ("get", f"{NN}{item}/", None, [401, 404, 200, 200, 200]),
        ("patch", f"{NN}{item}/", {"description": "d"}, [401, 404, 403, 403, 200]),
    ]
    client = as_user(people.user(who))
    for method, url, body, expected in rows:
        response = getattr(client, method)(url, body) if body else getattr(client, method)(url)
        assert response.status_code == expected[WHO.index(who)], (method, url, response.content)

from __future__ import annotations

from datetime import timedelta

import pytest

from milestones import services
from milestones.models import (
    CriteriaToken,
    CriterionValue,
    QuarterlyReview,
    Target,
    TargetRevision,
    Vision,
)
from milestones.periods import add_months

from .conftest import today_of

pytestmark = pytest.mark.django_db

BASE = "/api/v1/teams/ml/visions/"
WHO = ["anonymous", "outsider", "viewer", "member", "lead"]


def test_create_returns_the_spec_shape_with_nine_months_by_default(people, as_user):
    start = today_of(people.team)
    response = as_user(people.lead).post(
        BASE, {"title": "Trusted ranking", "problem": "Clicks ignored.", "starts_on": start}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["ends_on"] == add_months(start, 9).isoformat()
    assert (body["status"], body["achieved"], body["criteria"], body["targets"]) == (
        "active",
        False,
        [],
        [],
    )
    assert body["current_period"]["number"] == 1
    assert [p["starts_on"] for p in body["periods"]] == [
        add_months(start, k).isoformat() for k in (0, 3, 6)
    ]


def test_a_second_active_vision_is_409(people, as_user, vision):
    response = as_user(people.lead).post(
        BASE, {"title": "Other", "problem": "P", "starts_on": today_of(people.team)}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "active_vision_exists"
    assert Vision.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": "T", "problem": "P", "starts_on": "2026-13-01"}, "starts_on"),
        ({"title": "T", "problem": "", "starts_on": "2026-01-01"}, "problem"),
        (
            {"title": "T", "problem": "P", "starts_on": "2026-01-01", "ends_on": "2026-03-01"},
            "ends_on",
        ),
        ({"title": "x" * 121, "problem": "P", "starts_on": "2026-01-01"}, "title"),
    ],
)
def test_bad_vision_input_is_400(people, as_user, body, field):
    response = as_user(people.lead).post(BASE, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Vision.objects.exists()


def test_current_returns_criteria_achieved_targets_and_period(people, as_user, vision):
    body = as_user(people.viewer).get(BASE + "current/").json()
    assert body["id"] == vision.pk
    assert [c["metric"] for c in body["criteria"]] == ["NDCG@10", "p95 latency"]
    assert body["criteria"][0] == {
        "id": body["criteria"][0]["id"],
        "description": "Offline ranking quality",
        "metric": "NDCG@10",
        "comparator": ">=",
        "target_value": 0.35,
        "unit": "",
        "current_value": 0.31,
        "updated_at": body["criteria"][0]["updated_at"],
        "met": False,
    }
    assert body["achieved"] is False
    assert body["targets"][0]["period"] == 1 and body["targets"][0]["revision_count"] == 1
    assert body["current_period"]["number"] == 2


def test_current_is_404_without_an_active_vision(people, as_user):
    assert as_user(people.viewer).get(BASE + "current/").status_code == 404


def test_rechartering_through_the_api_needs_a_reason(people, as_user, vision):
    client = as_user(people.lead)
    url = f"{BASE}{vision.pk}/"
    response = client.patch(url, {"problem": "New problem"})
    assert response.status_code == 409 and response.json()["code"] == "reason_required"
    response = client.patch(url, {"problem": "New problem", "reason": "Users told us"})
    assert response.status_code == 200 and response.json()["problem"] == "New problem"
    response = client.patch(url, {"status": "achieved"})
    assert response.status_code == 400  # achieved follows the criteria, never typed in
    response = client.patch(url, {"status": "abandoned", "reason": "Wrong bet"})
    assert response.json()["status"] == "abandoned"


def test_members_update_values_and_history_is_returned(people, as_user, criteria):
    url = f"{BASE}{criteria[0].vision_id}/criteria/{criteria[0].pk}/"
    response = as_user(people.member).patch(url, {"current_value": 0.36})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["met"] is True
    assert [(h["old_value"], h["new_value"], h["by"]) for h in body["history"]] == [
        (None, 0.31, "lead"),
        (0.31, 0.36, "member"),
    ]
    for bad in ({}, {"current_value": "lots"}, {"current_value": None}):
        assert as_user(people.member).patch(url, bad, format="json").status_code == 400
    # `met` is computed: a client cannot type it in.
    as_user(people.member).patch(url, {"current_value": 0.2, "met": True})
    assert as_user(people.member).get(url).json()["met"] is False


def test_leads_add_criteria_members_cannot(people, as_user, vision):
    url = f"{BASE}{vision.pk}/criteria/"
    body = {"metric": "CTR", "comparator": ">=", "target_value": 0.05, "unit": "%"}
    assert as_user(people.member).post(url, body).status_code == 403
    response = as_user(people.lead).post(url, body)
    assert response.status_code == 201 and response.json()["met"] is False
    bad = as_user(people.lead).post(url, {**body, "comparator": "~"})
    assert bad.status_code == 400 and "comparator" in bad.json()


def test_targets_and_revisions(people, as_user, vision):
    client = as_user(people.lead)
    response = client.post(f"{BASE}{vision.pk}/targets/", {"period": 2, "text": "Ship to 5%"})
    assert response.status_code == 201, response.content
    target = response.json()
    assert (target["period"], target["revision_count"]) == (2, 1)
    assert target["starts_on"] == vision.periods[1].starts_on.isoformat()
    again = client.post(f"{BASE}{vision.pk}/targets/", {"period": 2, "text": "Again"})
    assert again.status_code == 400
    url = f"/api/v1/teams/ml/targets/{target['id']}/"
    response = client.patch(url, {"text": "Ship to 10%"})
    assert response.status_code == 409 and response.json()["code"] == "reason_required"
    response = client.patch(url, {"text": "Ship to 10%", "reason": "The 5% test was clean"})
    assert response.json()["revision_count"] == 2
    revisions = client.get(url + "revisions/").json()["results"]
    assert [(r["text"], r["reason"], r["author"]) for r in revisions] == [
        ("Ship to 5%", "First version.", "lead"),
        ("Ship to 10%", "The 5% test was clean", "lead"),
    ]


def review_body(people, criteria, **overrides):
    return {
        "held_on": today_of(people.team).isoformat(),
        "outcome": "partly",
        "evidence": "NDCG +2 points offline.",
        "still_right_problem": True,
        "still_right_note": "Yes.",
        "attendees": ["lead", "member"],
        "criteria": [{"id": criteria[0].pk, "current_value": 0.34}],
        "next_target": {"text": "Serve to 5% of traffic"},
        **overrides,
    }


def test_record_a_review(people, as_user, vision, criteria):
    url = f"{BASE}{vision.pk}/reviews/"
    response = as_user(people.lead).post(url, review_body(people, criteria), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["period"] == 1 and sorted(body["attendees"]) == ["lead", "member"]
    assert body["snapshot"]["criteria"][0]["current_value"] == 0.34
    assert body["changes"] == []  # the first review has nothing to compare with
    assert Target.objects.get(vision=vision, period=2).text == "Serve to 5% of traffic"
    listed = as_user(people.viewer).get(url).json()["results"]
    assert [r["id"] for r in listed] == [body["id"]]


def test_a_refused_review_through_the_api_writes_nothing(people, as_user, vision, criteria):
    services.target_create(vision=vision, actor=people.lead, period=2, text="Old plan")
    body = review_body(people, criteria, next_target={"text": "New plan"})
    response = as_user(people.lead).post(f"{BASE}{vision.pk}/reviews/", body, format="json")
    assert response.status_code == 409 and response.json()["code"] == "reason_required"
    assert not QuarterlyReview.objects.exists()
    assert CriterionValue.objects.filter(new_value=0.34).count() == 0
    body = review_body(people, criteria, attendees=["outsider"])
    response = as_user(people.lead).post(f"{BASE}{vision.pk}/reviews/", body, format="json")
    assert response.status_code == 400 and "attendees" in response.json()


def test_history_has_no_write_endpoint(people, as_user, vision, criteria):
    review = services.review_record(
        vision=vision,
        actor=people.lead,
        held_on=today_of(people.team),
        outcome="met",
        evidence="e",
        still_right_problem=True,
        next_target_text="Next",
    )
    snapshot = QuarterlyReview.objects.get(pk=review.pk).snapshot
    target = Target.objects.get(vision=vision, period=1)
    revision = TargetRevision.objects.filter(target=target).first()
    client = as_user(people.lead)
    paths = [
        f"{BASE}{vision.pk}/reviews/{review.pk}/",
        f"/api/v1/teams/ml/targets/{target.pk}/revisions/",
        f"/api/v1/teams/ml/targets/{target.pk}/revisions/{revision.pk}/",
    ]
    for path in paths:
        for method in ("put", "patch", "delete"):
            response = getattr(client, method)(path, {"snapshot": {}, "text": "rewritten"})
            assert response.status_code in (404, 405), (method, path, response.status_code)
    assert client.delete(f"/api/v1/teams/ml/targets/{target.pk}/").status_code == 405
    assert client.get(paths[0]).json()["snapshot"] == snapshot  # positive control: it exists
    assert TargetRevision.objects.get(pk=revision.pk).text == revision.text


# --- Pipeline tokens ---------------------------------------------------------------------------


def issue_token(as_user, people, vision) -> tuple[int, str]:
    response = as_user(people.lead).post(
        f"{BASE}{vision.pk}/criteria-tokens/", {"label": "nightly eval"}
    )
    assert response.status_code == 201, response.content
    return response.json()["id"], response.json()["token"]


def test_a_pipeline_posts_values_with_its_token(people, as_user, api, vision, criteria):
    token_id, secret = issue_token(as_user, people, vision)
    assert secret not in str(as_user(people.lead).get(f"{BASE}{vision.pk}/criteria-tokens/").json())
    assert CriteriaToken.objects.get().token_hash != secret
    api.logout()
    url = f"{BASE}{vision.pk}/criteria/{criteria[0].pk}/"
    response = api.patch(url, {"current_value": 0.37}, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200, response.content
    assert response.json()["history"][-1]["by"] == "pipeline “nightly eval”"
    assert CriteriaToken.objects.get().last_used_at is not None
    # It may post values and nothing else, for this vision only.
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert api.get(url, **auth).status_code == 403
    assert api.post(f"{BASE}{vision.pk}/criteria/", {"metric": "m"}, **auth).status_code == 403
    assert api.get(BASE, **auth).status_code in (401, 403)
    other = f"/api/v1/teams/other/visions/{vision.pk}/criteria/{criteria[0].pk}/"
    assert api.patch(other, {"current_value": 1}, **auth).status_code == 404
    # Revoked, it stops working.
    as_user(people.lead).delete(f"{BASE}{vision.pk}/criteria-tokens/{token_id}/")
    api.logout()
    response = api.patch(url, {"current_value": 0.1}, **auth)
    assert response.status_code == 401
    wrong = {"HTTP_AUTHORIZATION": "Bearer nope"}
    assert api.patch(url, {"current_value": 0.1}, **wrong).status_code == 401


@pytest.mark.parametrize("who", WHO)
def test_only_leads_manage_tokens(people, as_user, vision, who):
    token_id, _ = issue_token(as_user, people, vision)
    url = f"{BASE}{vision.pk}/criteria-tokens/{token_id}/"
    expected = {"anonymous": 401, "outsider": 404, "viewer": 403, "member": 403, "lead": 204}
    assert as_user(people.user(who)).delete(url).status_code == expected[who]
    revoked = CriteriaToken.objects.get(pk=token_id).revoked_at is not None
    assert revoked is (who == "lead")


# --- Role matrix ------------------------------------------------------------------------------


def endpoints(vision, criteria, target, review):
    v = f"{BASE}{vision.pk}/"
    return [
        # (method, path, body, expected per WHO)
        ("get", BASE, None, [401, 404, 200, 200, 200]),
        ("get", BASE + "current/", None, [401, 404, 200, 200, 200]),
        ("get", v, None, [401, 404, 200, 200, 200]),
        ("patch", v, {"title": "Renamed"}, [401, 404, 403, 403, 200]),
        ("get", v + "criteria/", None, [401, 404, 200, 200, 200]),
        (
            "post",
            v + "criteria/",
            {"metric": "CTR", "comparator": ">=", "target_value": 1},
            [401, 404, 403, 403, 201],
        ),
        ("get", f"{v}criteria/{criteria[0].pk}/", None, [401, 404, 200, 200, 200]),
        (
            "patch",
            f"{v}criteria/{criteria[0].pk}/",
            {"current_value": 0.33},
            [401, 404, 403, 200, 200],
        ),
        ("get", v + "targets/", None, [401, 404, 200, 200, 200]),
        ("post", v + "targets/", {"period": 3, "text": "Later"}, [401, 404, 403, 403, 201]),
        ("get", f"/api/v1/teams/ml/targets/{target.pk}/", None, [401, 404, 200, 200, 200]),
        (
            "patch",
            f"/api/v1/teams/ml/targets/{target.pk}/",
            {"text": "Sharper", "reason": "r"},
            [401, 404, 403, 403, 200],
        ),
        (
            "get",
            f"/api/v1/teams/ml/targets/{target.pk}/revisions/",
            None,
            [401, 404, 200, 200, 200],
        ),
        ("get", v + "reviews/", None, [401, 404, 200, 200, 200]),
        ("get", f"{v}reviews/{review.pk}/", None, [401, 404, 200, 200, 200]),
        ("get", v + "criteria-tokens/", None, [401, 404, 403, 403, 200]),
        ("post", v + "criteria-tokens/", {"label": "ci"}, [401, 404, 403, 403, 201]),
    ]


@pytest.mark.parametrize("who", WHO)
def test_role_matrix(people, as_user, vision, criteria, who):
    target = Target.objects.get(vision=vision, period=1)
    review = services.review_record(
        vision=vision,
        actor=people.lead,
        held_on=today_of(people.team),
        outcome="met",
        evidence="e",
        still_right_problem=True,
        next_target_text="Next",
    )
    client = as_user(people.user(who))
    for method, path, body, expected in endpoints(vision, criteria, target, review):
        response = getattr(client, method)(path, body, format="json")
        assert response.status_code == expected[WHO.index(who)], (method, path, response.content)


def test_review_post_role_matrix(people, as_user, vision, criteria):
    url = f"{BASE}{vision.pk}/reviews/"
    for who, expected in zip(WHO, [401, 404, 403, 403, 201], strict=True):
        response = as_user(people.user(who)).post(url, review_body(people, criteria), format="json")
        assert response.status_code == expected, (who, response.content)


def test_another_teams_vision_is_404_with_a_positive_control(people, as_user, vision):
    other_start = today_of(people.team) - timedelta(days=3)
    other = services.vision_create(
        team=people.outsider.memberships.get().team,
        actor=people.outsider,
        title="Theirs",
        problem="P",
        starts_on=other_start,
    )
    client = as_user(people.lead)
    assert client.get(f"{BASE}{vision.pk}/").status_code == 200
    assert client.get(f"{BASE}{other.pk}/").status_code == 404
    assert client.get(f"{BASE}{other.pk}/criteria/").status_code == 404


def test_query_counts_stay_flat(people, as_user, vision, django_assert_max_num_queries):
    client = as_user(people.viewer)
    paths = [BASE + "current/", BASE, f"{BASE}{vision.pk}/criteria/"]
    before = []
    for path in paths:
        with django_assert_max_num_queries(8) as queries:
            client.get(path)
        before.append(len(queries.captured_queries))
    for n in range(10):
        criterion = services.criterion_add(
            vision=vision,
            actor=people.lead,
            description="",
            metric=f"m{n}",
            comparator=">=",
            target_value=1,
            current_value=0,
        )
        for value in range(5):
            services.criterion_update_value(criterion=criterion, value=value + 1, actor=people.lead)
    services.target_create(vision=vision, actor=people.lead, period=2, text="Two")
    services.target_create(vision=vision, actor=people.lead, period=3, text="Three")
    for path, count in zip(paths, before, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(path).status_code == 200

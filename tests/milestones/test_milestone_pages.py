from __future__ import annotations

from datetime import date

import pytest

from milestones import services
from milestones.models import Check, Milestone, NonNegotiable

pytestmark = pytest.mark.django_db

WHO = ["anonymous", "outsider", "viewer", "member", "lead"]


def login(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def test_the_list_shows_soft_dates_progress_and_moves(client, people, milestone, practices):
    services.milestone_update(
        milestone=milestone,
        actor=people.lead,
        fields={"target_date": date(2027, 4, 19)},
        reason="Data late",
    )
    page = login(client, people.viewer).get("/t/ml/milestones/").content.decode()
    assert "Ranker v2 in shadow" in page and "~ mid-April" in page
    assert "0/2" in page and "moved 1\N{MULTIPLICATION SIGN} (+5 weeks)" in page
    assert "overdue" not in page.lower()


def test_checking_with_htmx_then_completing(client, people, milestone, practices):
    c = login(client, people.member)
    base = f"/t/ml/milestones/{milestone.pk}/"
    hx = {"HTTP_HX_REQUEST": "true"}
    refused = c.post(base + "complete/", **hx)
    assert refused.status_code == 409
    assert "Unit tests, Design doc" in refused.content.decode()
    bad = c.post(f"{base}checks/{practices[0].pk}/", {"evidence": "javascript:alert(1)"}, **hx)
    assert bad.status_code == 400 and Check.objects.count() == 0
    ok = c.post(f"{base}checks/{practices[0].pk}/", {"evidence": "https://ci.example.com/1"}, **hx)
    assert ok.status_code == 200
    assert 'rel="noopener noreferrer"' in ok.content.decode() and "1/2" in ok.content.decode()
    c.post(f"{base}checks/{practices[1].pk}/", {"evidence": ""}, **hx)
    done = c.post(base + "complete/", **hx)
    assert done.status_code == 200
    milestone.refresh_from_db()
    assert milestone.status == "done"


def test_a_move_without_a_reason_is_refused_in_words(client, people, milestone):
    c = login(client, people.member)
    response = c.post(
        f"/t/ml/milestones/{milestone.pk}/move/",
        {"target_date": "2027-05-01", "precision": "week"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409 and "give a reason" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.target_date == date(2027, 3, 15)


def test_leads_reword_and_retire_non_negotiables_nothing_is_deleted(client, people, practices):
    c = login(client, people.lead)
    c.post(f"/t/ml/non-negotiables/{practices[1].pk}/", {"title": "Design doc, reviewed"})
    c.post(f"/t/ml/non-negotiables/{practices[0].pk}/", {"retire": "1"})
    page = c.get("/t/ml/non-negotiables/").content.decode()
    assert "Design doc, reviewed" in page and "v2" in page and "retired" in page
    assert NonNegotiable.objects.count() == 2


@pytest.mark.parametrize("who", WHO)
def test_role_matrix(client, people, milestone, practices, who):
    m, item = milestone.pk, practices[1].pk
    rows = [
        ("get", "/t/ml/milestones/", None, [302, 404, 200, 200, 200]),
        ("get", f"/t/ml/milestones/{m}/", None, [302, 404, 200, 200, 200]),
        ("get", "/t/ml/non-negotiables/", None, [302, 404, 200, 200, 200]),
        (
            "post",
            f"/t/ml/milestones/{m}/checks/{item}/",
            {"evidence": ""},
            [302, 404, 403, 302, 302],
        ),
        ("post", f"/t/ml/non-negotiables/{item}/", {"title": "X"}, [302, 404, 403, 403, 302]),
        (
            "post",
            "/t/ml/milestones/",
            {"title": "New", "target_date": "2027-06-01", "precision": "day"},
            [302, 404, 403, 302, 302],
        ),
    ]
    c = login(client, people.user(who))
    for method, url, body, expected in rows:
        response = getattr(c, method)(url, body) if body else getattr(c, method)(url)
        assert response.status_code == expected[WHO.index(who)], (method, url)
    assert Milestone.objects.filter(title="New").exists() is (who in ("member", "lead"))


def test_the_list_page_costs_the_same_queries_however_long(
    client, people, practices, django_assert_max_num_queries
):
    c = login(client, people.viewer)

    def grow(n: int) -> None:
        for k in range(n):
            m = services.milestone_create(
                team=people.team, actor=people.lead, title=f"M{k}", target_date=date(2027, 1, 1)
            )
            services.check_set(milestone=m, non_negotiable=practices[1], actor=people.lead)

    grow(2)
    with django_assert_max_num_queries(20) as small:
        c.get("/t/ml/milestones/")
    grow(8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        c.get("/t/ml/milestones/")

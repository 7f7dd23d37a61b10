"""The role matrix on every tripwire page and endpoint, the pages' content, and flat query
counts with many tripwires and long histories."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import TeamPeople
from tripwires import selectors, services
from tripwires.models import EventKind, NeutralTest, Observation, Tripwire

from .conftest import points

pytestmark = pytest.mark.django_db

WHO = ["anonymous", "outsider", "viewer", "member", "lead"]


def page(client, people: TeamPeople, who: str):
    client.logout()
    if who != "anonymous":
        client.force_login(people.user(who))
    return client


@pytest.mark.parametrize("who", WHO)
def test_pages_role_matrix(client, people, tripwire, who):
    c = page(client, people, who)
    expected = {"anonymous": 302, "outsider": 404, "viewer": 200, "member": 200, "lead": 200}[who]
    for path in ("/t/ml/tripwires/", f"/t/ml/tripwires/{tripwire.pk}/"):
        assert c.get(path).status_code == expected, path


LEAD_POSTS = [
    (
        "new/",
        {
            "name": "NDCG",
            "metric": "ndcg",
            "unit": "",
            "higher_is_better": "on",
            "production_label": "production",
            "baseline_label": "baseline",
            "reference_window": 28,
            "tolerance": 0.3,
            "expected_interval_hours": 24,
        },
    ),
    (
        "{pk}/edit/",
        {
            "name": "CTR",
            "metric": "ctr",
            "unit": "%",
            "higher_is_better": "on",
            "production_label": "production",
            "baseline_label": "popularity",
            "reference_window": 7,
            "tolerance": 0.3,
            "expected_interval_hours": 24,
            "reason": "the baseline is the popularity ranker",
        },
    ),
    ("{pk}/mute/", {"hours": 2, "reason": "retraining"}),
    ("{pk}/unmute/", {}),
    ("{pk}/tokens/", {"label": "airflow"}),
    ("alerts/", {"webhook_url": "https://hooks.example.com/t"}),
]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("suffix", "data"), LEAD_POSTS)
def test_lead_actions_role_matrix(client, people, tripwire, who, suffix, data):
    c = page(client, people, who)
    events = tripwire.events.count()
    answer = c.post(f"/t/ml/tripwires/{suffix.format(pk=tripwire.pk)}", data)
    expected = {"anonymous": 302, "outsider": 404, "viewer": 403, "member": 403}.get(who)
    if expected:
        assert answer.status_code == expected
        if who == "anonymous":
            assert "/accounts/login/" in answer["Location"]
        assert tripwire.events.count() == events  # nothing happened
    else:
        assert answer.status_code in (200, 302), answer.content[:500]


@pytest.mark.parametrize("who", WHO)
def test_neutral_tests_role_matrix(client, people, who):
    c = page(client, people, who)
    data = {
        "name": "AA-1",
        "neutralised": "both arms ranker v7",
        "kind": "proportions",
        "a_successes": 100,
        "a_trials": 1000,
        "b_successes": 160,
        "b_trials": 1000,
    }
    answer = c.post("/t/ml/neutral-tests/", data)
    expected = {"anonymous": 302, "outsider": 404, "viewer": 403, "member": 302, "lead": 302}[who]
    assert answer.status_code == expected
    assert NeutralTest.objects.exists() == (expected == 302 and who != "anonymous")


def test_a_non_neutral_test_stays_on_the_page_until_a_finding(client, people):
    client.force_login(people.member)
    data = {
        "name": "AA-1",
        "neutralised": "both arms ranker v7",
        "kind": "proportions",
        "a_successes": 100,
        "a_trials": 1000,
        "b_successes": 160,
        "b_trials": 1000,
    }
    client.post("/t/ml/neutral-tests/", data)
    text = client.get("/t/ml/tripwires/").content.decode()
    assert "Not neutral (p &lt; 0.001): find the bug before trusting any A/B result." in text
    assert 'class="neutral-alarm"' in text
    test = NeutralTest.objects.get()
    client.post(
        f"/t/ml/neutral-tests/{test.pk}/finding/", {"finding": "bucketing hashed the session"}
    )
    text = client.get("/t/ml/tripwires/").content.decode()
    assert 'class="neutral-alarm"' not in text
    assert "bucketing hashed the session" in text


def test_bad_neutral_test_input_is_a_400_sentence(client, people):
    client.force_login(people.member)
    answer = client.post(
        "/t/ml/neutral-tests/",
        {"name": "x", "neutralised": "y", "kind": "means", "a_mean": 1, "a_sd": 1, "a_n": 10},
    )
    assert answer.status_code == 400
    assert "Fill in B mean, B sd, B n." in answer.content.decode()


def test_the_list_page_shows_status_in_words_and_the_picture(client, people, tripwire, post):
    post({"observations": points(7)})
    post({"observations": points(6, first=7, gap=0.2, prefix="low")})
    client.force_login(people.viewer)
    text = client.get("/t/ml/tripwires/").content.decode()
    assert (
        "Tripwire CTR: production&#x27;s lead over the baseline fell from 1 % to 0.2 % since"
        in text
    )
    assert 'class="gap-band"' in text or 'class="gap-reference"' in text
    assert 'class="gap-tolerance"' in text and 'class="gap-change"' in text
    assert "last observation" in text and "days ago" in text


def test_an_edit_needs_a_reason_and_is_logged(client, people, tripwire):
    client.force_login(people.lead)
    data = dict(LEAD_POSTS[1][1], reason="")
    answer = client.post(f"/t/ml/tripwires/{tripwire.pk}/edit/", data)
    assert answer.status_code == 400
    data["reason"] = "the baseline is the popularity ranker"
    client.post(f"/t/ml/tripwires/{tripwire.pk}/edit/", data)
    event = tripwire.events.get(kind=EventKind.EDITED)
    assert event.actor == people.lead and event.reason == data["reason"]
    assert event.changes["baseline_label"] == ["baseline", "popularity"]


def test_an_issued_token_is_shown_once(client, people, tripwire):
    client.force_login(people.lead)
    answer = client.post(f"/t/ml/tripwires/{tripwire.pk}/tokens/", {"label": "airflow"})
    assert "shown only once" in answer.content.decode()
    assert answer["Cache-Control"] == "no-store"
    assert "shown only once" not in client.get(f"/t/ml/tripwires/{tripwire.pk}/").content.decode()


# --- API ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_api_role_matrix(people, as_user, tripwire, who):
    api = as_user(people.user(who))
    base = "/api/v1/teams/ml/"
    reads = [
        f"{base}tripwires/",
        f"{base}tripwires/{tripwire.pk}/",
        f"{base}tripwires/{tripwire.pk}/events/",
        f"{base}tripwires/{tripwire.pk}/observations/",
        f"{base}neutral-tests/",
        f"{base}tripwire-alerts/",
    ]
    read = {"anonymous": 403, "outsider": 404}.get(who, 200)
    for path in reads:
        assert api.get(path).status_code in ((401, 403) if read == 403 else (read,)), path
    denied = (401, 403)
    tokens = api.get(f"{base}tripwires/{tripwire.pk}/ingest-tokens/").status_code
    assert (
        tokens in denied
        if who == "anonymous"
        else tokens == {"outsider": 404, "viewer": 403, "member": 403}.get(who, 200)
    )
    create = api.post(f"{base}tripwires/", {"name": f"T-{who}", "metric": "m"}, format="json")
    assert (
        create.status_code in denied
        if who == "anonymous"
        else create.status_code == {"outsider": 404, "viewer": 403, "member": 403}.get(who, 201)
    )
    neutral = api.post(
        f"{base}neutral-tests/",
        {
            "name": "AA",
            "neutralised": "x",
            "a": {"successes": 1, "trials": 10},
            "b": {"successes": 2, "trials": 10},
        },
        format="json",
    )
    if who == "anonymous":
        assert neutral.status_code in denied
    else:
        assert neutral.status_code == {"outsider": 404, "viewer": 403}.get(who, 201)


def test_api_shapes(people, as_user, post, tripwire):
    post({"observations": points(7)})
    api = as_user(people.lead)
    got = api.get(f"/api/v1/teams/ml/tripwires/{tripwire.pk}/").json()
    for field in (
        "id",
        "name",
        "status",
        "reference_gap",
        "current_gap",
        "change_point",
        "last_observation_at",
    ):
        assert field in got
    assert got["reference_gap"] == 1.0 and got["status"] == "ok"
    issued = api.post(f"/api/v1/teams/ml/tripwires/{tripwire.pk}/ingest-tokens/", {}, format="json")
    assert issued.status_code == 201 and set(issued.json()) >= {"id", "token"}
    listed = api.get(f"/api/v1/teams/ml/tripwires/{tripwire.pk}/ingest-tokens/").json()
    assert all("token" not in t for t in listed["results"])
    test = api.post(
        "/api/v1/teams/ml/neutral-tests/",
        {
            "name": "AA",
            "neutralised": "ranker",
            "a": {"mean": 5.0, "sd": 1.0, "n": 50},
            "b": {"mean": 5.1, "sd": 1.0, "n": 50},
        },
        format="json",
    ).json()
    assert set(test) >= {"id", "difference", "interval", "p_value", "verdict", "sentence"}
    assert test["verdict"] == "neutral"
    patch = api.patch(
        f"/api/v1/teams/ml/tripwires/{tripwire.pk}/", {"tolerance": 0.5}, format="json"
    )
    assert patch.status_code == 409 and patch.json()["code"] == "reason_required"
    patch = api.patch(
        f"/api/v1/teams/ml/tripwires/{tripwire.pk}/",
        {"tolerance": 0.5, "reason": "noisy metric"},
        format="json",
    )
    assert patch.status_code == 200 and patch.json()["tolerance"] == 0.5
    bad = api.patch(
        f"/api/v1/teams/ml/tripwires/{tripwire.pk}/", {"tolerance": 2, "reason": "x"}, format="json"
    )
    assert bad.status_code == 400
    mute = api.post(
        f"/api/v1/teams/ml/tripwires/{tripwire.pk}/mute/",
        {"until": (timezone.now() + timedelta(hours=3)).isoformat(), "reason": "deploy"},
        format="json",
    )
    assert mute.status_code == 200 and mute.json()["status"] == "muted"


def test_another_teams_objects_are_404(people, as_user, tripwire):
    other = people.outsider.memberships.get().team
    foreign = services.tripwire_create(team=other, actor=people.outsider, name="X", metric="m")
    api = as_user(people.lead)
    assert api.get(f"/api/v1/teams/ml/tripwires/{tripwire.pk}/").status_code == 200  # control
    assert api.get(f"/api/v1/teams/ml/tripwires/{foreign.pk}/").status_code == 404
    assert api.get(f"/api/v1/teams/ml/tripwires/{foreign.pk}/observations/").status_code == 404
    assert api.post(f"/api/v1/teams/ml/tripwires/{foreign.pk}/ingest-tokens/").status_code == 404


def test_the_schema_documents_the_endpoints(people, as_user):
    schema = as_user(people.lead).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in (
        "/api/v1/teams/{team_slug}/tripwires/",
        "/api/v1/teams/{team_slug}/tripwires/{id}/observations/",
        "/api/v1/teams/{team_slug}/neutral-tests/",
    ):
        assert path in schema["paths"], sorted(p for p in schema["paths"] if "trip" in p)


# --- Query counts -------------------------------------------------------------------------------


def _fill(people: TeamPeople, n: int, days: int) -> None:
    start = timezone.now() - timedelta(days=days)
    for i in range(n):
        tw = services.tripwire_create(team=people.team, actor=people.lead, name=f"T{i}", metric="m")
        Observation.objects.bulk_create(
            Observation(
                tripwire=tw,
                at=start + timedelta(days=d),
                production=4.0 - (d > days - 5),
                baseline=3.0,
                key=f"k{d}",
            )
            for d in range(days)
        )
        services._reassess(tw, timezone.now())


def _count(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_flat_queries_on_the_page_and_the_wall(client, people, django_assert_max_num_queries):
    client.force_login(people.viewer)
    _fill(people, 2, 30)
    small_page = _count(lambda: client.get("/t/ml/tripwires/"))
    small_wall = _count(lambda: selectors.wall_context(people.team, timezone.now()))
    # A dozen more tripwires with four months of history each.
    start = timezone.now() - timedelta(days=120)
    for i in range(12):
        tw = services.tripwire_create(team=people.team, actor=people.lead, name=f"L{i}", metric="m")
        Observation.objects.bulk_create(
            Observation(
                tripwire=tw, at=start + timedelta(days=d), production=4.0, baseline=3.0, key=f"k{d}"
            )
            for d in range(120)
        )
        services._reassess(tw, timezone.now())
    with django_assert_max_num_queries(small_page):
        assert client.get("/t/ml/tripwires/").status_code == 200
    with django_assert_max_num_queries(small_wall):
        context = selectors.wall_context(people.team, timezone.now())
    assert len(context["alarms"]) == 2


def test_the_wall_says_a_small_ok_when_all_are_ok(people):
    now = timezone.now()
    assert selectors.wall_ok_context(people.team, now) is None  # no tripwires: nothing
    services.tripwire_create(team=people.team, actor=people.lead, name="A", metric="m")
    later = timezone.now()  # a new render: the two panels share a query per moment only
    assert selectors.wall_context(people.team, later) is None
    assert selectors.wall_ok_context(people.team, later) == {"quiet": 1}


def test_tripwire_rows(tripwire):
    assert Tripwire.objects.get().name == "CTR"

"""Pipelines post observations with an ingest token: idempotent, all-or-nothing, and the
token grants nothing else."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from rest_framework.test import APIClient

from tests.conftest import TeamPeople
from tripwires import notify, services
from tripwires.models import EventKind, IngestToken, Observation, Tripwire

from .conftest import START, points, url

pytestmark = pytest.mark.django_db


def test_one_point_and_a_batch_are_stored(post, tripwire):
    one = post(points(1)[0])
    assert one.status_code == 201, one.content
    assert one.json() == {"stored": 1, "duplicates": 0, "status": "learning"}
    batch = post({"observations": points(5, first=1)})
    assert batch.status_code == 201
    assert batch.json()["stored"] == 5
    assert Observation.objects.filter(tripwire=tripwire).count() == 6


def test_a_retried_batch_stores_nothing_twice_and_answers_the_same(post, tripwire):
    body = {"observations": points(10)}
    first = post(body)
    again = post(body)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() == {"stored": 10, "duplicates": 0, "status": "ok"}
    assert Observation.objects.filter(tripwire=tripwire).count() == 10


def test_overlapping_batches_store_only_the_new_points(post, tripwire):
    post({"observations": points(6)})
    answer = post({"observations": points(6, first=3)})
    assert answer.json()["stored"] == 3 and answer.json()["duplicates"] == 3
    assert Observation.objects.filter(tripwire=tripwire).count() == 9


def test_out_of_order_points_are_accepted_and_assessed_in_time_order(post, tripwire):
    shuffled = points(14)
    shuffled.reverse()
    assert post({"observations": shuffled}).status_code == 201
    tripwire.refresh_from_db()
    assert tripwire.status == "ok"
    assert tripwire.last_observation_at == START + timedelta(days=13)


def test_a_point_without_a_key_is_keyed_by_its_moment(post, tripwire):
    point = {k: v for k, v in points(1)[0].items() if k != "key"}
    post(point)
    second = post(point)
    assert second.json()["duplicates"] in (0, 1)  # same batch: the recorded answer
    post({"observations": [point, {**point, "at": point["at"].replace("06:00", "07:00")}]})
    assert Observation.objects.filter(tripwire=tripwire).count() == 2


BAD = [
    ({"production": "4.1"}, "Point 2: production must be a number"),
    ({"production": True}, "Point 2: production must be a number"),
    ({"baseline": None}, "Point 2: baseline must be a number"),
    ({"at": "1970-01-01T00:00:00+00:00"}, "Point 2: at 1970-01-01T00:00:00+00:00 is not"),
    ({"at": "2999-01-01T00:00:00+00:00"}, "Point 2: at 2999-01-01T00:00:00+00:00 is not"),
    ({"at": "2025-06-04T06:00:00"}, "Point 2: at has no UTC offset"),
    ({"at": "yesterday"}, "Point 2: at must be an ISO 8601 time"),
    ({"key": ""}, "Point 2: key must be a non-empty string"),
    ({"key": "d0"}, "Points 0 and 2 share the key 'd0'"),
    ({"colour": "red"}, "Point 2: unknown field(s) colour"),
]


@pytest.mark.parametrize(("change", "sentence"), BAD)
def test_a_bad_batch_stores_nothing_and_names_the_point(post, tripwire, change, sentence):
    batch = points(4)
    batch[2] = {**batch[2], **change}
    answer = post({"observations": batch})
    assert answer.status_code == 400
    assert answer.json()["detail"].startswith(sentence), answer.json()
    assert answer.json()["index"] == 2
    assert not Observation.objects.filter(tripwire=tripwire).exists()


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused_by_point(pipeline: APIClient, tripwire, constant):
    batch = points(3)
    text = json.dumps({"observations": batch}).replace('"production": 4.0', "X", 1)
    body = text.replace("X", f'"production": {constant}', 1)
    answer = pipeline.post(url(tripwire), body, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["detail"] == (
        "Point 0: production must be a finite number (not NaN or infinity)."
    )
    assert not Observation.objects.exists()


@pytest.mark.parametrize("body", ["[]", "1", '"x"', "{", '{"observations": {}}', "null", "{}"])
def test_malformed_bodies_are_400(pipeline: APIClient, tripwire, body):
    answer = pipeline.post(url(tripwire), body, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["detail"]


def test_a_batch_of_more_than_1000_is_refused(post, tripwire):
    answer = post({"observations": points(1001, step=timedelta(minutes=1))})
    assert answer.status_code == 400
    assert "at most 1000" in answer.json()["detail"]
    assert post({"observations": points(1000, step=timedelta(minutes=1))}).status_code == 201


def test_the_token_posts_to_its_tripwire_only(people: TeamPeople, pipeline, tripwire, secret):
    sibling = services.tripwire_create(
        team=people.team, actor=people.lead, name="NDCG", metric="ndcg"
    )
    outsider_team = people.outsider.memberships.get().team
    foreign = services.tripwire_create(
        team=outsider_team, actor=people.outsider, name="CTR", metric="ctr"
    )
    body = points(1)[0]
    assert pipeline.post(url(tripwire), body, format="json").status_code == 201  # control
    assert pipeline.post(url(sibling), body, format="json").status_code == 403
    assert pipeline.post(url(foreign), body, format="json").status_code == 403
    # The right id under another team's slug is not the tripwire either.
    wrong_slug = f"/api/v1/teams/other/tripwires/{tripwire.pk}/observations/"
    assert pipeline.post(wrong_slug, body, format="json").status_code == 403
    assert not Observation.objects.filter(tripwire__in=[sibling, foreign]).exists()


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", "observations/"),
        ("get", ""),
        ("get", "events/"),
        ("patch", ""),
        ("post", "mute/"),
        ("post", "ingest-tokens/"),
        ("get", "ingest-tokens/"),
    ],
)
def test_the_token_reads_and_changes_nothing(pipeline, tripwire, method, suffix):
    answer = getattr(pipeline, method)(url(tripwire, suffix), {}, format="json")
    assert answer.status_code in (401, 403, 404), answer.content
    for path in (f"/api/v1/teams/{tripwire.team.slug}/tripwires/", "/api/v1/teams/"):
        assert pipeline.get(path).status_code in (401, 403)


def test_no_token_a_revoked_token_and_a_person_cannot_post(people, tripwire, secret, as_user):
    body = points(1)[0]
    assert APIClient().post(url(tripwire), body, format="json").status_code == 401
    assert as_user(people.lead).post(url(tripwire), body, format="json").status_code == 401
    services.ingest_token_revoke(token=IngestToken.objects.get(), actor=people.lead)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    answer = client.post(url(tripwire), body, format="json")
    assert answer.status_code == 401
    assert answer.json()["detail"] == "Unknown or revoked ingest token."
    assert not Observation.objects.exists()


def test_posting_marks_the_token_used(post):
    assert IngestToken.objects.get().last_used_at is None
    post(points(1)[0])
    assert IngestToken.objects.get().last_used_at is not None


# --- Tripping, notifications --------------------------------------------------------------------


def _trip(post) -> None:
    post({"observations": points(7)})  # the reference window: a gap of 1.0
    post({"observations": points(6, first=7, gap=0.2, prefix="low")})


def test_a_shrinking_gap_trips_logs_and_notifies_after_commit(
    post, tripwire, people, monkeypatch, django_capture_on_commit_callbacks
):
    people.lead.email = "lead@example.com"
    people.lead.save()
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(notify, "post_webhook", lambda u, p: sent.append((u, p)) or 200)
    services.alert_settings_update(team=people.team, webhook_url="https://hooks.example.com/x")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _trip(post)
    # Nothing left inside the request's transaction: it all waits for the commit.
    assert mail.outbox == [] and sent == [] and callbacks
    for callback in callbacks:
        callback()
    tripwire.refresh_from_db()
    assert tripwire.status == "tripped" and tripwire.cause == "shrinking_gap"
    assert tripwire.change_point == START + timedelta(days=7)
    event = tripwire.events.get(kind=EventKind.TRIPPED)
    assert "fell from 1 % to 0.2 % since" in event.reason
    assert [m.to for m in mail.outbox] == [["lead@example.com"]]
    assert sent == [("https://hooks.example.com/x", {"text": event.reason})]


def test_a_failing_webhook_and_mail_server_never_fail_the_ingest(
    post, tripwire, people, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []

    def broken(url, payload):
        calls.append(url)
        raise notify.WebhookError("The address is private.")

    def no_mail(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr(notify, "post_webhook", broken)
    monkeypatch.setattr("tripwires.tasks.send_mail", no_mail)
    services.alert_settings_update(team=people.team, webhook_url="https://hooks.example.com/x")
    with django_capture_on_commit_callbacks(execute=True):
        post({"observations": points(7)})
        answer = post({"observations": points(6, first=7, gap=0.2, prefix="low")})
    assert answer.status_code == 201
    assert answer.json()["status"] == "tripped"
    assert len(calls) == 3  # tried, and retried twice


def test_recovery_is_logged_and_a_muted_tripwire_calls_nobody(
    post, tripwire, people, django_capture_on_commit_callbacks
):
    people.lead.email = "lead@example.com"
    people.lead.save()
    from django.utils import timezone

    services.tripwire_mute(
        tripwire=tripwire,
        actor=people.lead,
        until=timezone.now() + timedelta(days=1),
        reason="retraining this week",
    )
    with django_capture_on_commit_callbacks(execute=True):
        _trip(post)
        post({"observations": points(12, first=13, prefix="back")})
    kinds = list(tripwire.events.values_list("kind", flat=True))
    assert EventKind.TRIPPED in kinds and EventKind.RECOVERED in kinds and EventKind.MUTED in kinds
    assert mail.outbox == []
    muted = tripwire.events.get(kind=EventKind.MUTED)
    assert muted.actor == people.lead and muted.reason == "retraining this week"


def test_members_who_opted_in_get_the_email(post, people, django_capture_on_commit_callbacks):
    for user, email in (
        (people.lead, "lead@x.org"),
        (people.member, "member@x.org"),
        (people.viewer, "viewer@x.org"),
    ):
        user.email = email
        user.save()
    services.alert_subscription_set(team=people.team, user=people.member, follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        _trip(post)
    assert sorted(mail.outbox[0].to) == ["lead@x.org", "member@x.org"]


def test_stale_is_announced_once(post, tripwire, django_capture_on_commit_callbacks):
    post({"observations": points(7)})
    later = START + timedelta(days=200)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.tripwires_check_stale(now=later) == 1
        assert services.tripwires_check_stale(now=later) == 0
    tripwire.refresh_from_db()
    assert tripwire.status_at(later) == "stale"
    assert "silent since" in tripwire.events.get(kind=EventKind.STALE).reason


def test_webhook_urls_must_be_http(people):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.alert_settings_update(team=people.team, webhook_url="ftp://example.com/x")
    with pytest.raises(ValidationError):
        services.alert_settings_update(team=people.team, webhook_url="file:///etc/passwd")
    assert services.alert_settings_update(team=people.team, webhook_url="https://a.example/b")


def test_tripwire_count_unchanged(tripwire):
    assert Tripwire.objects.count() == 1


def test_check_tripwires_command_announces_silence(post, tripwire, monkeypatch):
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    post({"observations": points(7)})
    out = StringIO()
    call_command("check_tripwires", stdout=out)
    assert out.getvalue().strip() == "0 tripwire(s) newly stale."
    Tripwire.objects.filter(pk=tripwire.pk).update(expected_interval_hours=1)
    call_command("check_tripwires", stdout=out)
    assert "1 tripwire(s) newly stale." in out.getvalue()
    assert tripwire.events.filter(kind=EventKind.STALE).count() == 1
    assert Tripwire.objects.get().status_at(timezone.now()) == "stale"

"""Every write to tripwires and neutral tests. Detection itself is tripwires/detect.py (pure);
this module feeds it the observations, stores where it stands, logs transitions and, after the
transaction commits, sends the notifications."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.rules import RuleCode, RuleViolation
from core.wall import notify_wall_changed
from teams.models import Team

from . import detect, neutral, words
from .models import (
    EDITABLE_FIELDS,
    AlertSettings,
    AlertSubscription,
    ArmKind,
    EventKind,
    IngestBatch,
    IngestToken,
    NeutralTest,
    Observation,
    Status,
    Tripwire,
    TripwireEvent,
)
from .tasks import post_alarm_webhook, send_alarm_email

MAX_BATCH = 1000
MAX_MUTE = timedelta(days=90)


@dataclass(frozen=True)
class NewPoint:
    at: datetime
    production: float
    baseline: float
    key: str


# --- Tripwires --------------------------------------------------------------------------------


@transaction.atomic
def tripwire_create(*, team: Team, actor: User, **fields: Any) -> Tripwire:
    """A lead adds a tripwire; it learns its reference gap unless one is pinned."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    tripwire = Tripwire(team=team, created_by=actor, **fields)
    tripwire.full_clean()
    tripwire.save()
    _log(tripwire, EventKind.CREATED, actor=actor, changes=_settings_of(tripwire))
    return tripwire


@transaction.atomic
def tripwire_edit(*, tripwire: Tripwire, actor: User, reason: str, **changes: Any) -> Tripwire:
    """Every edit is logged with who, when and why (a reason is required), and the tripwire is
    assessed again under its new settings."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(
            RuleCode.REASON_REQUIRED, "Say why the tripwire changes: the log keeps the reason."
        )
    tripwire = Tripwire.objects.select_for_update().select_related("team").get(pk=tripwire.pk)
    before = _settings_of(tripwire)
    for field, value in changes.items():
        setattr(tripwire, field, value)
    tripwire.full_clean()
    after = _settings_of(tripwire)
    diff = {f: [before[f], after[f]] for f in EDITABLE_FIELDS if before[f] != after[f]}
    if not diff:
        return tripwire
    tripwire.save()
    _log(tripwire, EventKind.EDITED, actor=actor, reason=reason, changes=diff)
    _reassess(tripwire, timezone.now())
    return tripwire


@transaction.atomic
def tripwire_mute(*, tripwire: Tripwire, actor: User, until: datetime, reason: str) -> Tripwire:
    """A lead silences a tripwire (wall and notifications) for a stated time, with a reason."""
    now = timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(
            RuleCode.REASON_REQUIRED, "Say why the tripwire is muted: the log keeps the reason."
        )
    if until <= now:
        raise ValidationError("A mute must end in the future.")
    if until > now + MAX_MUTE:
        raise ValidationError(f"A mute lasts at most {MAX_MUTE.days} days.")
    tripwire = Tripwire.objects.select_for_update().select_related("team").get(pk=tripwire.pk)
    tripwire.muted_until, tripwire.mute_reason = until, reason[:200]
    tripwire.save(update_fields=["muted_until", "mute_reason"])
    _log(
        tripwire, EventKind.MUTED, actor=actor, reason=reason, changes={"until": until.isoformat()}
    )
    return tripwire


@transaction.atomic
def tripwire_unmute(*, tripwire: Tripwire, actor: User) -> Tripwire:
    tripwire = Tripwire.objects.select_for_update().select_related("team").get(pk=tripwire.pk)
    if tripwire.muted_until is None or tripwire.muted_until <= timezone.now():
        return tripwire
    tripwire.muted_until, tripwire.mute_reason = None, ""
    tripwire.save(update_fields=["muted_until", "mute_reason"])
    _log(tripwire, EventKind.UNMUTED, actor=actor)
    return tripwire


# --- Ingest -----------------------------------------------------------------------------------


def observations_ingest(
    *,
    tripwire_id: int,
    points: list[NewPoint],
    digest: str,
    now: datetime | None = None,
    notify: bool = True,
) -> dict[str, Any]:
    """Store a pipeline's batch (already validated whole: a bad batch never gets here).

    Idempotent twice over: a point whose key the tripwire already holds is a duplicate and is
    not stored again, and a batch seen before (same digest) gets the answer it got the first
    time. The tripwire's row lock serialises concurrent batches on PostgreSQL (SQLite takes
    its write lock when the transaction begins)."""
    if len(points) > MAX_BATCH:
        raise ValidationError(f"A batch holds at most {MAX_BATCH} observations.")
    now = now or timezone.now()
    try:
        with transaction.atomic():
            tripwire = (
                Tripwire.objects.select_for_update().select_related("team").get(pk=tripwire_id)
            )
            seen = IngestBatch.objects.filter(tripwire=tripwire, digest=digest).first()
            if seen is not None:
                return dict(seen.response)
            keys = [p.key for p in points]
            held = set(
                Observation.objects.filter(tripwire=tripwire, key__in=keys).values_list(
                    "key", flat=True
                )
            )
            new = [p for p in points if p.key not in held]
            Observation.objects.bulk_create(
                Observation(
                    tripwire=tripwire,
                    at=p.at,
                    production=p.production,
                    baseline=p.baseline,
                    key=p.key,
                )
                for p in new
            )
            notify_wall_changed(tripwire.team_id)  # bulk_create sends no signal
            _reassess(tripwire, now, notify=notify)
            response = {
                "stored": len(new),
                "duplicates": len(points) - len(new),
                "status": tripwire.status_at(now),
            }
            IngestBatch.objects.create(tripwire=tripwire, digest=digest, response=response)
            return response
    except IntegrityError:
        # Another connection stored the same batch between our read and our write (possible
        # only where the row lock is not taken): its answer is ours.
        seen = IngestBatch.objects.filter(tripwire_id=tripwire_id, digest=digest).first()
        if seen is None:
            raise
        return dict(seen.response)


def tripwires_check_stale(
    *, now: datetime | None = None, team: Team | None = None, notify: bool = True
) -> int:
    """Announce tripwires whose pipeline went quiet (no observation for twice the expected
    interval): run by `manage.py check_tripwires` and when the tripwires page is opened."""
    now = now or timezone.now()
    candidates = Tripwire.objects.filter(last_observation_at__isnull=False).exclude(
        announced__in=[Status.STALE, Status.TRIPPED]
    )
    if team is not None:
        candidates = candidates.filter(team=team)
    announced = 0
    for candidate in candidates.only("pk", "last_observation_at", "expected_interval_hours"):
        if not detect.is_stale(candidate.last_observation_at, now, candidate.expected_interval):
            continue
        with transaction.atomic():
            tripwire = (
                Tripwire.objects.select_for_update().select_related("team").get(pk=candidate.pk)
            )
            if tripwire.announced != Status.STALE and tripwire.status_at(now) == Status.STALE:
                _announce(tripwire, Status.STALE, now, notify=notify)
                announced += 1
    return announced


def _reassess(tripwire: Tripwire, now: datetime, *, notify: bool = True) -> None:
    rows = Observation.objects.filter(tripwire=tripwire).values_list("at", "production", "baseline")
    points = [detect.Point(at, production, baseline) for at, production, baseline in rows]
    result = detect.assess(points, tripwire.detection_settings(), now)
    tripwire.status = result.status
    tripwire.cause = result.cause or ""
    tripwire.assessed_reference_gap = result.reference_gap
    tripwire.assessed_noise = result.noise
    tripwire.current_gap = result.current_gap
    tripwire.change_point = result.change_point
    tripwire.last_observation_at = result.last_observation_at
    tripwire.observation_count = result.points
    tripwire.save(
        update_fields=[
            "status",
            "cause",
            "assessed_reference_gap",
            "assessed_noise",
            "current_gap",
            "change_point",
            "last_observation_at",
            "observation_count",
        ]
    )
    _announce(tripwire, result.status, now, notify=notify)


def _announce(tripwire: Tripwire, status: str, now: datetime, *, notify: bool = True) -> None:
    """Log a change of alarm (tripped, stale, recovered) and notify after commit (the demo's
    history, replayed, logs without calling anyone)."""
    before = tripwire.announced
    if status == before:
        return
    alarms = (Status.TRIPPED, Status.STALE)
    tripwire.announced = status
    tripwire.save(update_fields=["announced"])
    if status in alarms:
        sentence = words.status_sentence(tripwire, status, now)
        kind = EventKind.TRIPPED if status == Status.TRIPPED else EventKind.STALE
        changes = {"cause": tripwire.cause} if status == Status.TRIPPED else {}
        if tripwire.change_point and status == Status.TRIPPED:
            changes["change_point"] = tripwire.change_point.isoformat()
    elif before in alarms:
        sentence, kind, changes = words.recovery_sentence(tripwire), EventKind.RECOVERED, {}
    else:
        return  # learning -> ok is no news
    _log(tripwire, kind, reason=sentence, changes=changes, at=now)
    if not notify or (tripwire.muted_until is not None and tripwire.muted_until > now):
        return  # logged, but a muted tripwire does not call anyone
    team_id, tripwire_id = tripwire.team_id, tripwire.pk
    subject = sentence if len(sentence) <= 150 else sentence[:147] + "…"

    def send() -> None:
        send_alarm_email.enqueue(tripwire_id, subject, sentence)
        post_alarm_webhook.enqueue(team_id, sentence)

    transaction.on_commit(send)


# --- Tokens -----------------------------------------------------------------------------------


@transaction.atomic
def ingest_token_issue(
    *, tripwire: Tripwire, actor: User, label: str = ""
) -> tuple[IngestToken, str]:
    """A token that can post observations to this one tripwire; its secret is shown once."""
    token, secret = IngestToken.issue(tripwire=tripwire, created_by=actor, label=label)
    _log(tripwire, EventKind.TOKEN_ISSUED, actor=actor, changes={"token": token.pk})
    return token, secret


@transaction.atomic
def ingest_token_revoke(*, token: IngestToken, actor: User) -> None:
    if token.is_live:
        token.revoke()
        _log(token.tripwire, EventKind.TOKEN_REVOKED, actor=actor, changes={"token": token.pk})


# --- Alerts -----------------------------------------------------------------------------------


@transaction.atomic
def alert_settings_update(*, team: Team, webhook_url: str) -> AlertSettings:
    """Set the team's optional webhook (http or https only; the outgoing client also refuses
    private addresses when it connects)."""
    alerts, _ = AlertSettings.objects.get_or_create(team=team)
    alerts.webhook_url = (webhook_url or "").strip()
    alerts.full_clean()
    alerts.save()
    return alerts


@transaction.atomic
def alert_subscription_set(*, team: Team, user: User, follow: bool) -> bool:
    if follow:
        AlertSubscription.objects.get_or_create(team=team, user_id=user.pk)
    else:
        AlertSubscription.objects.filter(team=team, user_id=user.pk).delete()
    return follow


# --- Neutral tests ----------------------------------------------------------------------------


@transaction.atomic
def neutral_test_record(
    *,
    team: Team,
    actor: User,
    name: str,
    neutralised: str,
    a: neutral.Arm,
    b: neutral.Arm,
) -> NeutralTest:
    """Record an A/A test and its verdict: when a test that should show no difference shows
    one, there is a bug in the pipeline."""
    try:
        result = neutral.compare(a, b)
    except neutral.StatisticsError as exc:
        raise ValidationError(str(exc)) from exc
    if not all(math.isfinite(v) for v in (result.difference, *result.interval, result.p_value)):
        raise ValidationError("These numbers give no finite result: check the arms.")
    test = NeutralTest(
        team=team,
        name=name,
        neutralised=neutralised,
        created_by=actor,
        difference=result.difference,
        interval_low=result.interval[0],
        interval_high=result.interval[1],
        p_value=min(1.0, max(0.0, result.p_value)),
        verdict=result.verdict.value,
    )
    if isinstance(a, neutral.Proportion) and isinstance(b, neutral.Proportion):
        test.kind = ArmKind.PROPORTIONS
        test.a_successes, test.a_trials = a.successes, a.trials
        test.b_successes, test.b_trials = b.successes, b.trials
    elif isinstance(a, neutral.Mean) and isinstance(b, neutral.Mean):
        test.kind = ArmKind.MEANS
        test.a_mean, test.a_sd, test.a_n = a.mean, a.sd, a.n
        test.b_mean, test.b_sd, test.b_n = b.mean, b.sd, b.n
    test.full_clean()
    test.save()
    return test


@transaction.atomic
def neutral_test_record_finding(*, test: NeutralTest, actor: User, finding: str) -> NeutralTest:
    """What the team found behind a non-neutral result; until then it stays on the page."""
    finding = (finding or "").strip()
    if not finding:
        raise ValidationError("Say what you found (the bug, or why there was none).")
    test.finding, test.finding_by, test.finding_at = finding, actor, timezone.now()
    test.full_clean()
    test.save(update_fields=["finding", "finding_by", "finding_at"])
    return test


# --- Helpers ----------------------------------------------------------------------------------


def _settings_of(tripwire: Tripwire) -> dict[str, Any]:
    return {field: getattr(tripwire, field) for field in EDITABLE_FIELDS}


def _log(
    tripwire: Tripwire,
    kind: EventKind,
    *,
    actor: User | None = None,
    reason: str = "",
    changes: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> TripwireEvent:
    return TripwireEvent.objects.create(
        tripwire=tripwire,
        kind=kind,
        at=at or timezone.now(),
        actor_id=actor.pk if actor is not None else None,
        reason=reason[:500],
        changes=dict(changes or {}),
    )

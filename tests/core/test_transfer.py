"""`export_team` / `import_team`: a whole team with its history, exactly, into an empty
database of either engine; refused when the team is there; nothing forgotten, nothing secret."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from core import transfer
from core.transfer import TransferError, dumps, export_team, import_team
from focusboard.models import KioskToken, WallScreen
from milestones import services as milestone_services
from milestones.models import Check, CriteriaToken
from schedule.models import FeedToken, InvitationSend, Meeting
from teams.models import Team
from tripwires.models import AlertSettings, AlertSubscription, Observation

ROOT = Path(__file__).resolve().parents[2]
OURS = ["core", "teams", "milestones", "focusboard", "schedule", "tripwires"]
ON_POSTGRES = connection.vendor == "postgresql"


# --- Nothing forgotten ------------------------------------------------------------------------


def reaches_team(model, seen=frozenset()) -> bool:
    """Whether a model points to a team, directly or through the models it points to."""
    team = apps.get_model("teams.Team")
    if model is team:
        return True
    for field in model._meta.concrete_fields:
        target = field.related_model if field.is_relation else None
        ours = target is not None and target._meta.app_label in OURS
        if ours and target not in seen and reaches_team(target, seen | {model}):
            return True
    return False


def undeclared() -> list[str]:
    declared = {part.label for part in transfer.parts()}
    return sorted(
        model._meta.label
        for app in OURS
        for model in apps.get_app_config(app).get_models()
        if model._meta.label not in declared
    )


def test_every_model_of_ours_is_declared_for_export_or_left_out_with_a_reason(db):
    missing = undeclared()
    assert not missing, (
        f"Declare {missing} in the app's transfer.py: register_team_data (the team's rows), "
        "register_person_data (a person's), register_team_secret or register_not_exported "
        "with the reason. Otherwise export_team would silently leave them behind."
    )
    team_models = [m for a in OURS for m in apps.get_app_config(a).get_models() if reaches_team(m)]
    assert len(team_models) > 25  # the walk follows parents: Observation via Tripwire
    for part in transfer.parts():
        if part.kind == "skip":
            assert part.reason
        elif part.kind in ("team", "secret"):
            assert reaches_team(part.model), part.label
            # The lookup is real: it runs.
            lookup = {part.path: None} if part.path else {"pk": None}
            list(part.model._base_manager.filter(**lookup)[:1])


def test_a_forgotten_model_fails_the_check():
    # Positive control: take a declared model out and the check names it.
    transfer.parts()  # the registry fills on first use (autodiscovery)
    saved = transfer._parts.pop("tripwires.Observation")
    try:
        assert undeclared() == ["tripwires.Observation"]
    finally:
        transfer._parts["tripwires.Observation"] = saved
    assert reaches_team(Observation)
    assert not reaches_team(get_user_model())


# --- A rich team --------------------------------------------------------------------------------


@pytest.fixture
def demo(db) -> Team:
    """The demo team (vision, reviews, milestones, board, meetings, calendars, tripwires) and
    what the demo lacks: an unchecked check, a wall reload, alerts, an invitation send, tokens,
    a name outside ASCII and a time with microseconds."""
    call_command("seed_demo", force=True, stdout=StringIO(), stderr=StringIO())
    team = Team.objects.get(slug="demo")
    lead = team.memberships.filter(role="lead").first().user
    lead.first_name = "Léna 🚀"
    lead.save()
    check = Check.objects.filter(
        milestone__team=team, milestone__status__in=["planned", "in_progress"]
    ).first()
    milestone_services.check_remove(
        milestone=check.milestone, non_negotiable=check.non_negotiable, actor=lead
    )
    reload_at = datetime(2026, 3, 1, 9, 0, 0, 123456, UTC)
    WallScreen.objects.create(team=team, reload_requested_at=reload_at)
    AlertSettings.objects.create(team=team, webhook_url="https://hooks.example.com/x")
    AlertSubscription.objects.create(team=team, user=lead)
    meeting = Meeting.objects.filter(team=team).first()
    InvitationSend.objects.create(
        meeting=meeting, sequence=0, method="REQUEST", recipient=lead, email="lena@example.com"
    )
    KioskToken.issue(team=team, label="team room", created_by=lead)
    FeedToken.issue(user=lead, team=team, scope="team")
    return team


def fresh_database(engine: str, tmp_path: Path, name: str) -> Iterator[str]:
    """A URL of an empty, migrated database of the engine (dropped afterwards)."""
    if engine == "sqlite":
        yield f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
        return
    import psycopg

    server = connection.settings_dict
    checkout = hashlib.sha256(str(ROOT).encode()).hexdigest()[:8]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    db_name = f"keep_{checkout}_{worker}_{name}"
    conninfo = dict(
        host=server["HOST"] or "127.0.0.1",
        port=server["PORT"] or 5432,
        user=server["USER"],
        password=server["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with psycopg.connect(**conninfo) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db_name}"')
        admin.execute(f'CREATE DATABASE "{db_name}"')
    password = f":{server['PASSWORD']}" if server["PASSWORD"] else ""
    try:
        yield (
            f"postgres://{server['USER']}{password}@{conninfo['host']}:{conninfo['port']}/{db_name}"
        )
    finally:
        with psycopg.connect(**conninfo) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def manage(url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    env.pop("FOCUSBOARD_EXPECT_DB", None)
    return subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )


def round_trip(url: str, text: str) -> str:
    """Import the file into the (empty) database at `url`, export the team again."""
    migrate = manage(url, "migrate", "--noinput", "-v0")
    assert migrate.returncode == 0, migrate.stderr
    imported = manage(url, "import_team", "-", stdin=text)
    assert imported.returncode == 0, imported.stderr
    exported = manage(url, "export_team", "demo")
    assert exported.returncode == 0, exported.stderr
    assert "teams.Team: 1" in exported.stderr  # progress on stderr, the file alone on stdout
    return exported.stdout


# In the PostgreSQL suite the file also goes PostgreSQL → SQLite → PostgreSQL, so a file
# exported from SQLite is imported into PostgreSQL (and the other way round) in CI.
CHAINS = [["sqlite"]] + ([["postgresql"], ["sqlite", "postgresql"]] if ON_POSTGRES else [])


@pytest.mark.parametrize("chain", CHAINS, ids=["-then-".join(c) for c in CHAINS])
def test_export_import_export_gives_the_same_file_exactly(demo, chain, tmp_path):
    first = dumps(export_team("demo"))
    document = json.loads(first)
    counts = {label: len(rows) for label, rows in document["rows"].items()}
    # The file really holds the history (a file of empty tables would compare equal too).
    for label in [
        "focusboard.FocusEvent",
        "milestones.TargetRevision",
        "milestones.MilestoneSlip",
        "milestones.QuarterlyReview",
        "milestones.Check",
        "schedule.MeetingAttendee",
        "schedule.InvitationSend",
        "schedule.BusyInterval",
        "tripwires.Observation",
        "tripwires.NeutralTest",
        "focusboard.WallScreen",
    ]:
        assert counts[label] > 0, label
    assert any(row["fields"]["unchecked_at"] for row in document["rows"]["milestones.Check"])
    text = first
    for n, engine in enumerate(chain):
        gen = fresh_database(engine, tmp_path, f"rt{n}")
        url = next(gen)
        try:
            again = round_trip(url, text)
        finally:
            gen.close()
        assert again.rstrip("\n") == first, f"the file changed on {engine}"
        text = again


def test_secrets_stay_behind(demo):
    document = export_team("demo")
    text = dumps(document)
    hashes = [
        *KioskToken.objects.values_list("token_hash", flat=True),
        *FeedToken.objects.values_list("token_hash", flat=True),
        *CriteriaToken.objects.values_list("token_hash", flat=True),
        *get_user_model().objects.values_list("password", flat=True),
    ]
    assert hashes and not any(h in text for h in hashes)
    assert "password" not in json.dumps(document["users"])
    assert {"focusboard.KioskToken", "schedule.FeedToken", "teams.Invitation"}.isdisjoint(
        document["rows"]
    )
    # The pipeline token that posted values comes along by name only, revoked.
    (token,) = document["rows"]["milestones.CriteriaToken"]
    assert token["fields"]["revoked_at"] and "token_hash" not in token["fields"]


def test_import_refuses_a_team_that_is_here_and_writes_nothing(demo):
    document = export_team("demo")
    before = Meeting.objects.count()
    with pytest.raises(TransferError, match="already exists"):
        import_team(document)
    assert Meeting.objects.count() == before
    path = Path(settings.BASE_DIR) / ".keep-refused.json"
    with pytest.raises(CommandError, match="already exists"):
        try:
            path.write_text(dumps(document))
            call_command("import_team", str(path), stdout=StringIO(), stderr=StringIO())
        finally:
            path.unlink()


def test_import_beside_other_teams_renumbers_and_reuses_people(demo):
    document = export_team("demo")
    # The same team under another slug: every id is taken, every person exists.
    document["team"] = "demo-copy"
    document["rows"]["teams.Team"][0]["fields"]["slug"] = "demo-copy"
    for row in document["rows"]["schedule.Meeting"]:  # a calendar uid names one meeting
        row["fields"]["uid"] = f"copy-{row['fields']['uid']}"
    people = get_user_model().objects.count()
    copy = import_team(document)
    assert copy.pk != demo.pk and get_user_model().objects.count() == people
    original, copied = export_team("demo"), export_team("demo-copy")
    for label, rows in original["rows"].items():
        assert len(copied["rows"][label]) == len(rows), label
    assert sorted(m.title for m in Meeting.objects.filter(team=copy)) == sorted(
        m.title for m in Meeting.objects.filter(team=demo)
    )
    assert set(Meeting.objects.filter(team=copy).values_list("pk", flat=True)).isdisjoint(
        Meeting.objects.filter(team=demo).values_list("pk", flat=True)
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{}", "not a Focusboard team export"),
        ('{"format": "focusboard-team", "version": 99}', "version 99"),
        ("not json", "is not JSON"),
        ('{"format": "focusboard-team", "version": 1}', "incomplete or damaged"),
        (
            '{"format": "focusboard-team", "version": 1, "team": "ml", "users": [], "rows": {}}',
            "incomplete or damaged",
        ),
        (
            '{"format": "focusboard-team", "version": 1, "team": "ml", "users": [],'
            ' "rows": {"teams.Team": [{"id": 1, "fields": {"slug": "ml"}}]}}',
            "damaged",
        ),
        (
            '{"format": "focusboard-team", "version": 1, "team": "ml", "users": [{"id": 1}],'
            ' "rows": {}}',
            "incomplete or damaged",
        ),
    ],
)
def test_a_bad_file_is_refused_with_a_sentence(db, tmp_path, content, message):
    path = tmp_path / "team.json"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_team", str(path), stdout=StringIO(), stderr=StringIO())


def test_export_of_an_unknown_team_says_so(db):
    with pytest.raises(CommandError, match="no team with the slug"):
        call_command("export_team", "nope", stdout=StringIO(), stderr=StringIO())

"""Moving one team between databases: `manage.py export_team <slug>` writes the team and all
its history as one JSON document; `manage.py import_team <file>` writes it into a database that
does not have the team.

Core knows no domain model, so every app declares what it holds in its own `transfer.py`
(found like `admin.py`, by autodiscovery):

    register_team_data("focusboard.FocusItem", team="team")          # rows of the team
    register_person_data("schedule.BusySource", user="user")         # rows of its people
    register_team_secret("milestones.CriteriaToken", team="vision__team")
    register_not_exported("focusboard.KioskToken", "a secret; make a new wall address")

A model of ours that is not declared fails a test (tests/core/test_transfer.py), so a new model
cannot be forgotten. Rows keep their ids when the database has none of them (an empty
database: links and bookmarks keep working); otherwise the model's rows get new ids and every
reference is rewritten. People are matched by username: someone who exists already is used as
they are; someone new is created without a password (they use "Forgot your password?").
Import writes through Django's raw save (like `loaddata`): it creates rows exactly as they were,
bypassing `save()` overrides such as the append-only guard, and never updates or deletes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import IntegrityError, connections, models, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from .tokens import hash_secret, new_secret

FORMAT = "focusboard-team"
VERSION = 1
# What is copied of a person. Never the password hash (see README: a file that travels should
# not carry crackable credentials), never staff or superuser rights.
USER_FIELDS = ("username", "first_name", "last_name", "email", "is_active", "date_joined")


class TransferError(Exception):
    """A file that cannot be imported, or a team that cannot be exported; the message says why."""


@dataclass(frozen=True)
class Part:
    label: str  # "app.Model"
    kind: str  # "team", "person", "secret" or "skip"
    path: str = ""  # the lookup from the model to the team (or the person)
    reason: str = ""

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)


_parts: dict[str, Part] = {}


def _register(part: Part) -> None:
    _parts[part.label] = part  # by label: idempotent when a module is imported twice


def register_team_data(label: str, *, team: str) -> None:
    """Rows of one team, found by `team` (a lookup to the Team; "" for the team itself).
    Register in dependency order: a model after the models it points to."""
    _register(Part(label, "team", team))


def register_person_data(label: str, *, user: str) -> None:
    """Rows that belong to a person the team's data names (their calendars, their profile).
    Imported only for people the target database did not have."""
    _register(Part(label, "person", user))


def register_team_secret(label: str, *, team: str) -> None:
    """A token that history names (who posted a value). Exported without its hash and as
    revoked: the secret stays behind, and no secret works after the import."""
    _register(Part(label, "secret", team))


def register_not_exported(label: str, reason: str) -> None:
    _register(Part(label, "skip", reason=reason))


def parts() -> list[Part]:
    autodiscover_modules("transfer")
    return list(_parts.values())


# --- Export ---------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """JSON for what the python serializer leaves as objects: full precision, always."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _user_fields(model: type[models.Model]) -> tuple[list[str], list[str]]:
    """Names of the foreign keys and many-to-many fields of a model that point to people."""
    user_model = get_user_model()
    fks = [
        f.name
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is user_model
    ]
    m2m = [f.name for f in model._meta.many_to_many if f.related_model is user_model]
    return fks, m2m


def export_team(
    slug: str, *, using: str = "default", progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """The team with `slug` and everything it holds, as a JSON-ready dict."""
    say = progress or (lambda message: None)
    team_model = apps.get_model("teams.Team")
    team = team_model._base_manager.using(using).filter(slug=slug).first()
    if team is None:
        raise TransferError(f"There is no team with the slug “{slug}”.")
    now = timezone.now()
    rows: dict[str, list[dict[str, Any]]] = {}
    user_ids: set[int] = set()
    for part in parts():
        if part.kind not in ("team", "secret"):
            continue
        lookup = {part.path: team} if part.path else {"pk": team.pk}
        queryset = part.model._base_manager.using(using).filter(**lookup).order_by("pk")
        fks, m2m = _user_fields(part.model)
        out = []
        for row in _serialize(queryset, say, part.label):
            fields = row["fields"]
            user_ids.update(fields[name] for name in fks if fields.get(name) is not None)
            for name in m2m:
                if name not in fields:
                    continue  # a many-to-many with its own model, exported as rows
                fields[name] = sorted(fields[name])  # a set: its order means nothing
                user_ids.update(fields[name])
            if part.kind == "secret":
                fields.pop("token_hash", None)
                fields["revoked_at"] = fields.get("revoked_at") or now.isoformat()
            out.append(row)
        rows[part.label] = out
        say(f"{part.label}: {len(out)}")
    user_model = get_user_model()
    people = user_model._base_manager.using(using).filter(pk__in=user_ids).order_by("pk")
    users = [
        {"id": person.pk, **{name: _plain(getattr(person, name)) for name in USER_FIELDS}}
        for person in people
    ]
    say(f"people: {len(users)}")
    for part in parts():
        if part.kind != "person":
            continue
        queryset = part.model._base_manager.using(using).filter(
            **{f"{part.path}__in": [u["id"] for u in users]}
        )
        rows[part.label] = list(_serialize(queryset.order_by("pk"), say, part.label))
        say(f"{part.label}: {len(rows[part.label])}")
    return {"format": FORMAT, "version": VERSION, "team": slug, "users": users, "rows": rows}


def _serialize(
    queryset: models.QuerySet[Any], say: Callable[[str], None], label: str
) -> Iterator[dict[str, Any]]:
    for done, obj in enumerate(queryset.iterator(chunk_size=2000), start=1):
        (row,) = serializers.serialize("python", [obj])
        yield {"id": row["pk"], "fields": _plain(row["fields"])}
        if done % 5000 == 0:
            say(f"{label}: {done}…")


def dumps(document: dict[str, Any]) -> str:
    """The file's text: keys sorted, so the same team always gives the same bytes."""
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False)


# --- Import ---------------------------------------------------------------------------------


def _free_ids(model: type[models.Model], ids: Iterable[int], using: str) -> bool:
    ids = list(ids)
    return not ids or not model._base_manager.using(using).filter(pk__in=ids).exists()


def _next_id(model: type[models.Model], using: str) -> int:
    last = model._base_manager.using(using).aggregate(top=models.Max("pk"))["top"]
    return (last or 0) + 1


def _id_map(model: type[models.Model], ids: list[int], using: str) -> dict[int, int]:
    """Keep the ids when none is taken; otherwise new ones after the largest, in order."""
    if _free_ids(model, ids, using):
        return {i: i for i in ids}
    start = _next_id(model, using)
    return {old: start + n for n, old in enumerate(sorted(ids))}


def check_document(document: Any) -> None:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise TransferError("This is not a Focusboard team export (made by export_team).")
    if document.get("version") != VERSION:
        raise TransferError(
            f"This export has version {document.get('version')}; this Focusboard reads "
            f"version {VERSION}."
        )
    damaged = TransferError(
        "This export is incomplete or damaged (it needs the team's slug, its people and its "
        "rows, as export_team writes them): nothing was imported."
    )
    slug, users, rows = document.get("team"), document.get("users"), document.get("rows")
    if not (isinstance(slug, str) and slug and isinstance(users, list) and isinstance(rows, dict)):
        raise damaged
    if not all(isinstance(u, dict) and {"id", *USER_FIELDS} <= set(u) for u in users):
        raise damaged
    for table in rows.values():
        if not isinstance(table, list) or not all(
            isinstance(r, dict) and "id" in r and isinstance(r.get("fields"), dict) for r in table
        ):
            raise damaged
    teams = rows.get("teams.Team", [])
    if len(teams) != 1 or teams[0]["fields"].get("slug") != slug:
        raise damaged
    known = {p.label for p in parts() if p.kind != "skip"}
    unknown = set(rows) - known
    if unknown:
        raise TransferError(
            "This export holds tables this Focusboard does not know: " + ", ".join(sorted(unknown))
        )


def import_team(
    document: dict[str, Any],
    *,
    using: str = "default",
    progress: Callable[[str], None] | None = None,
) -> Any:
    """Write an export into this database, all or nothing; refuse when the team's slug exists
    here."""
    try:
        with transaction.atomic(using=using):
            return _import(document, using, progress or (lambda message: None))
    except (KeyError, TypeError, ValueError, ValidationError, IntegrityError) as exc:
        # What check_document cannot see: a row whose fields or references do not fit.
        raise TransferError(
            f"This export is damaged ({type(exc).__name__}: {exc}): nothing was imported."
        ) from exc


def _import(document: dict[str, Any], using: str, say: Callable[[str], None]) -> Any:
    check_document(document)
    team_model = apps.get_model("teams.Team")
    slug = document["team"]
    if team_model._base_manager.using(using).filter(slug=slug).exists():
        raise TransferError(
            f"A team with the slug “{slug}” already exists in this database: nothing was "
            "imported. Import into a database without it (or rename the team here first)."
        )
    user_model = get_user_model()
    maps: dict[type[models.Model], dict[int, int]] = {}
    # People: matched by username; new ones keep their id when it is free.
    existing = dict(
        user_model._base_manager.using(using)
        .filter(username__in=[u["username"] for u in document["users"]])
        .values_list("username", "pk")
    )
    new_people = [u for u in document["users"] if u["username"] not in existing]
    people_map = _id_map(user_model, [u["id"] for u in new_people], using)
    user_map = {u["id"]: existing[u["username"]] for u in document["users"] if u not in new_people}
    for person in new_people:
        fields = {name: person[name] for name in USER_FIELDS}
        user = user_model(pk=people_map[person["id"]], password=make_password(None))
        for name, value in fields.items():
            field = user_model._meta.get_field(name)
            assert isinstance(field, models.Field)
            setattr(user, name, field.to_python(value))
        user.save_base(raw=True, using=using)
        user_map[person["id"]] = user.pk
    maps[user_model] = user_map
    say(f"people: {len(new_people)} new, {len(existing)} already here")
    new_user_ids = {people_map[p["id"]] for p in new_people}

    written: list[type[models.Model]] = [user_model]
    for part in parts():
        if part.kind == "skip" or part.label not in document["rows"]:
            continue
        model = part.model
        rows = document["rows"][part.label]
        if part.kind == "person":  # people who were here already keep their own
            rows = [r for r in rows if user_map.get(r["fields"][part.path]) in new_user_ids]
        maps[model] = _id_map(model, [r["id"] for r in rows], using)
        for row in rows:
            _save(model, part, row, maps, using)
        written.append(model)
        say(f"{part.label}: {len(rows)}")
    _reset_sequences(written, using)
    return team_model._base_manager.using(using).get(slug=slug)


def _save(
    model: type[models.Model],
    part: Part,
    row: dict[str, Any],
    maps: dict[type[models.Model], dict[int, int]],
    using: str,
) -> None:
    fields = dict(row["fields"])
    for field in model._meta.concrete_fields:
        if not field.is_relation or field.name not in fields or fields[field.name] is None:
            continue
        fields[field.name] = _mapped(maps, part, field, fields[field.name])
    for field in model._meta.many_to_many:
        if field.name in fields:
            fields[field.name] = [_mapped(maps, part, field, v) for v in fields[field.name]]
    if part.kind == "secret":
        fields["token_hash"] = hash_secret(new_secret())  # nobody holds this secret
    data = [{"model": part.label.lower(), "pk": maps[model][row["id"]], "fields": fields}]
    for deserialized in serializers.deserialize("python", data, using=using):
        deserialized.save(using=using)


def _mapped(
    maps: dict[type[models.Model], dict[int, int]], part: Part, field: Any, old: int
) -> int:
    try:
        return maps[field.related_model][old]
    except KeyError:
        raise TransferError(
            f"{part.label}.{field.name} points to {field.related_model._meta.label} {old}, "
            "which the file does not hold."
        ) from None


def _reset_sequences(written: list[type[models.Model]], using: str) -> None:
    """PostgreSQL's id sequences must continue after the ids written explicitly."""
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), written)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

"""Never a 500 from the API, field by field: every write operation of the OpenAPI schema is
sent a body that is valid (or plausible) but for one field made hostile: 20,000 characters,
a NUL, an integer past 64 bits, a number JSON writes as 1e999 (infinity to Python), NaN, a
date in year 1 or 9999, an impossible date, a list of 5,000 items, an object where a string
belongs. The fields and their types come from the schema, so a field added later is covered.

Each request runs in a transaction rolled back afterwards; the world is the role matrix's
(the demo team, and one token of each kind)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.test_role_matrix import API, INGEST, World, api_url, build_world, operations

pytestmark = pytest.mark.django_db


class Raw(str):
    """JSON text sent as it is (1e999, NaN), which json.dumps cannot write from a value."""


LONG = "x" * 20_000
HUGE = 2**70
COMMON: list[Any] = [LONG, "a\x00b", {"nested": {"object": 1}}, [1, 2], None]
BY_TYPE: dict[str, list[Any]] = {
    "string": ["", " "],
    "integer": [HUGE, -HUGE, Raw("1e999"), 1.5, "12abc"],
    "number": [Raw("1e999"), Raw("-1e999"), Raw("NaN"), HUGE, "12abc"],
    "boolean": ["maybe", 2],
    "array": [[LONG], [HUGE], ["x"] * 5_000, [None], [[1]]],
    "object": [{"a": LONG}, {"a": HUGE}],
}
BY_FORMAT: dict[str, list[Any]] = {
    "date": ["0001-01-01", "9999-12-31", "2026-02-30", "2026-W48"],
    "date-time": [
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59-12:00",
        "2026-03-29T02:30:00",  # a local time that does not exist in Europe/Paris
        "2026-11-24T10:00:00+99:00",
    ],
    "time": ["25:00", "23:59:60"],
    "uri": ["javascript:alert(1)", "https://" + LONG],
    "email": ["not-an-email", LONG + "@example.com"],
}


def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def resolve(node: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    for key in ("allOf", "oneOf", "anyOf"):
        if key in node:
            merged: dict[str, Any] = {"properties": {}}
            for part in node[key]:
                part = resolve(part, spec)
                merged["properties"].update(part.get("properties", {}))
                merged.setdefault("type", part.get("type"))
            return merged
    return node


def plausible(prop: dict[str, Any]) -> Any:
    """A value a client might send for the property (not always a valid one)."""
    if prop.get("enum"):
        return next((v for v in prop["enum"] if v not in ("", None)), prop["enum"][0])
    fmt, kind = prop.get("format"), prop.get("type")
    if fmt == "date":
        return "2026-12-01"
    if fmt == "date-time":
        return "2026-12-01T13:00:00Z"
    return {"integer": 1, "number": 1.0, "boolean": False, "array": [], "object": {}}.get(
        kind, "Probe"
    )


def hostile(prop: dict[str, Any]) -> list[Any]:
    return [
        *COMMON,
        *BY_TYPE.get(prop.get("type", "string"), []),
        *BY_FORMAT.get(prop.get("format", ""), []),
    ]


def encode(body: dict[str, Any]) -> str:
    raws: dict[str, str] = {}

    def mark(value: Any) -> Any:
        if isinstance(value, Raw):
            key = f"__raw{len(raws)}__"
            raws[key] = str(value)
            return key
        return value

    text = json.dumps({k: mark(v) for k, v in body.items()})
    for key, raw in raws.items():
        text = text.replace(f'"{key}"', raw)
    return text


def write_operations(spec: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(operation id, method, path, properties of its JSON body) of every write."""
    found = []
    for op, method, path in operations():
        if method not in ("post", "put", "patch"):
            continue
        body = spec["paths"][path][method].get("requestBody", {}).get("content", {})
        node = body.get("application/json", {}).get("schema")
        properties = resolve(node, spec).get("properties", {}) if node else {}
        found.append((op, method, path, {k: resolve(v, spec) for k, v in properties.items()}))
    return found


def test_every_write_survives_a_hostile_field():
    world: World = build_world()
    spec = schema()
    lead = APIClient()
    lead.force_login(world.people["lead"])
    pipeline = APIClient()
    pipeline.credentials(HTTP_AUTHORIZATION=f"Bearer {world.secrets['ingest']}")
    failures, sent, fields = [], 0, 0
    guarded: list[str] = []  # writes whose every answer was the guard's: nothing was tried
    for op, method, path, properties in write_operations(spec):
        row = API.get(op)
        # A pipeline's endpoint takes only its token (its row's access is INGEST).
        client = pipeline if row is not None and row.get == INGEST else lead
        url = api_url(world, "lead", path)
        base = dict(row.body) if row is not None and row.body else {}
        base.update({k: plausible(p) for k, p in properties.items() if k not in base})
        statuses: set[int] = set()
        for name, prop in properties.items():
            if prop.get("readOnly"):
                continue
            fields += 1
            for value in hostile(prop):
                body = encode({**base, name: value})
                sent += 1
                try:
                    with transaction.atomic():
                        response = client.generic(
                            method.upper(), url, body, content_type="application/json"
                        )
                        transaction.set_rollback(True)
                except Exception as exc:  # what would have been a 500, named
                    failures.append(f"{op} {name}={str(value)[:30]!r}: {type(exc).__name__}: {exc}")
                    continue
                statuses.add(response.status_code)
                if response.status_code >= 500:
                    failures.append(f"{op} {name}={str(value)[:30]!r}: {response.status_code}")
        if statuses and statuses <= {401, 403, 404, 405}:
            guarded.append(f"{op}: {sorted(statuses)}")
    # Positive controls: the walk reaches the writes and their fields, and every write's
    # fields reach its parser and serializer rather than being turned away at the door.
    assert fields >= 100 and sent >= 1_000, (fields, sent)
    assert not guarded, guarded
    assert not failures, "\n".join(failures[:60])


def test_raw_json_is_written_as_given():
    assert encode({"a": Raw("1e999"), "b": [1], "c": "1e999"}) == (
        '{"a": 1e999, "b": [1], "c": "1e999"}'
    )
    assert json.loads(encode({"a": Raw("1e999")}))["a"] == float("inf")

"""Never a 500 from the API: every write operation in the OpenAPI schema, sent a JSON body
that is not an object (or is empty), answers 4xx. Walking the schema means an endpoint
added later is covered without touching this test."""

from __future__ import annotations

import re

import pytest

from focusboard import services as focus_services
from tests.conftest import TeamPeople

pytestmark = pytest.mark.django_db

BODIES = [
    "true",
    "[]",
    '"x"',
    "1",
    "null",
    "{}",
    "[{}]",
    "{",
    "[" * 1000 + "]" * 1000,
    '{"a": ' * 1000 + "1" + "}" * 1000,
]  # + too deep


def write_operations(client) -> list[tuple[str, str]]:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    return [
        (method, path)
        for path, item in schema["paths"].items()
        for method in ("post", "put", "patch")
        if method in item
    ]


def test_the_schema_lists_write_operations(people: TeamPeople, as_user):
    # Positive control: the walk below really covers the API.
    operations = write_operations(as_user(people.lead))
    assert len(operations) >= 15
    assert ("post", "/api/v1/teams/{team_slug}/focus-items/") in operations


def test_non_object_bodies_never_give_a_500(people: TeamPeople, as_user):
    item = focus_services.focus_item_add(team=people.team, actor=people.lead, title="Topic")
    client = as_user(people.lead)
    values = {"team_slug": "ml", "username": "member", "id": str(item.pk), "pk": str(item.pk)}
    for method, template in write_operations(client):
        path = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "1"), template)
        for body in BODIES:
            response = client.generic(method.upper(), path, body, content_type="application/json")
            assert response.status_code < 500, (method, path, body, response.content[:300])

"""How app processes hold PostgreSQL connections, read from the environment."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings.base import postgres_connections


def test_by_default_only_a_connect_timeout():
    assert postgres_connections({}) == {"OPTIONS": {"connect_timeout": 5}}


def test_a_pool_turns_persistent_connections_off():
    settings = postgres_connections({"DJANGO_DB_POOL": "1:4", "DJANGO_DB_CONNECT_TIMEOUT": "3"})
    assert settings == {
        "OPTIONS": {"connect_timeout": 3, "pool": {"min_size": 1, "max_size": 4, "timeout": 3}},
        "CONN_MAX_AGE": 0,
    }
    assert postgres_connections({"DJANGO_DB_POOL": "2"})["OPTIONS"]["pool"]["max_size"] == 2


@pytest.mark.parametrize("value", ["many", "1:x", ":"])
def test_a_bad_pool_size_says_what_to_write(value):
    with pytest.raises(ImproperlyConfigured, match=r"<min>:<max>, e\.g\. 1:4"):
        postgres_connections({"DJANGO_DB_POOL": value})

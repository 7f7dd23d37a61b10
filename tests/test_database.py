import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_suite_runs_on_the_database_it_was_asked_for():
    """`make test-postgres` sets FOCUSBOARD_EXPECT_DB; if the settings silently fell back
    to SQLite, the PostgreSQL run would prove nothing."""
    expected = os.environ.get("FOCUSBOARD_EXPECT_DB", "sqlite")
    assert connection.vendor == expected

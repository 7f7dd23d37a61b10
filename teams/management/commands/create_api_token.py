"""`manage.py create_api_token <username> [--name N] [--days D]`: a new API token for a
person, printed once (it replaces DRF's `drf_create_token`, whose keys were stored in plain
text). People can also make their own at /me/tokens/."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from teams import services


class Command(BaseCommand):
    help = "Create an API token for a person and print it (shown once, stored hashed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="Created with manage.py", help="What uses it.")
        parser.add_argument(
            "--days", type=int, default=None, help="Stop working after this many days."
        )

    def handle(
        self, *args: Any, username: str, name: str, days: int | None, **options: Any
    ) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        _, secret = services.api_token_create(user=user, name=name, days=days)  # type: ignore[arg-type]
        self.stdout.write(secret)

"""django-axes in tests: every sign-in through a page is guarded as in production; only the
test client's `client.login(...)`, which passes no request, skips the guard instead of
raising (production never authenticates without a request: Django's views pass it)."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class ClientLoginAxesBackend(AxesStandaloneBackend):
    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None = None, *args: Any, **kwargs: Any
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)

"""Guessing is limited: the client's address, the API's rate limits and the guard against
guessing API credentials.

One reading of the client's address serves the login lockout (django-axes) and the API's
throttles: REMOTE_ADDR, unless FOCUSBOARD_TRUSTED_PROXIES says how many proxies in front of
the app append to X-Forwarded-For (then the address the nearest untrusted hop wrote).

The counters live in the "throttle" cache, which production keeps in the database so that
every gunicorn worker counts the same requests.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework import throttling
from rest_framework.settings import api_settings

API_PREFIX = "/api/"


def client_ip(request: HttpRequest) -> str:
    """The client's address as this deployment's proxies report it."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    proxies = settings.FOCUSBOARD_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [
        hop.strip() for hop in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
    ]
    forwarded = [hop for hop in forwarded if hop]
    if not forwarded:
        return remote
    # Each trusted proxy appended the address it saw; the one `proxies` from the right was
    # written by our outermost proxy, so a client cannot forge it.
    return forwarded[-min(proxies, len(forwarded))]


def retry_after(seconds: float | None) -> int:
    """Whole seconds to wait, never 0 (a client told "0" would ask again at once)."""
    return max(1, math.ceil(seconds or 1))


def wait_sentence(seconds: float | None, reason: str = "Too many requests") -> str:
    wait = retry_after(seconds)
    unit = "second" if wait == 1 else "seconds"
    return f"{reason}: wait {wait} {unit} and try again."


class _SharedCacheMixin:
    """DRF's throttles count in the "throttle" cache and read the address like axes does."""

    def __init__(self) -> None:
        self.cache = caches["throttle"]
        super().__init__()

    def get_ident(self, request: Any) -> str:
        return client_ip(request)

    def get_rate(self) -> str | None:
        # Read at each request, not once at import, so a changed setting takes effect. As in
        # DRF, a scope with no rate at all is a configuration error, not a silent "unlimited"
        # (an empty rate, e.g. FOCUSBOARD_API_ANON_RATE=, switches that limit off on purpose).
        rates: dict[str, Any] = api_settings.DEFAULT_THROTTLE_RATES
        scope = str(getattr(self, "scope", ""))
        if scope not in rates:
            raise ImproperlyConfigured(f"No API rate is set for the {scope!r} throttle.")
        rate = rates[scope]
        return str(rate) if rate else None


def _pipeline_token(request: Any) -> Any:
    """The token a pipeline authenticated with (ingest, criteria): it acts as nobody, so
    `request.user` is anonymous while `request.auth` holds the token."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return None
    return getattr(request, "auth", None)


class AnonRateThrottle(_SharedCacheMixin, throttling.AnonRateThrottle):
    """Requests without any credentials, per address."""

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if _pipeline_token(request) is not None:
            return None
        return super().get_cache_key(request, view)


class UserRateThrottle(_SharedCacheMixin, throttling.UserRateThrottle):
    """A signed-in person (session or API token), per person."""


class IngestRateThrottle(_SharedCacheMixin, throttling.SimpleRateThrottle):
    """Pipelines posting with a token rather than as a person: per token, generously."""

    scope = "ingest"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        token = _pipeline_token(request)
        token_pk = getattr(token, "pk", None)
        if token_pk is None:
            return None
        ident = f"{type(token).__name__}-{token_pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AuthFailureThrottle(_SharedCacheMixin, throttling.SimpleRateThrottle):
    """Wrong API credentials per address. `allow_request` only looks; `record` counts a
    failure, so good requests never use up the allowance."""

    scope = "auth_failure"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def throttle_success(self) -> bool:
        return True

    def record(self, request: HttpRequest) -> None:
        self.key = self.get_cache_key(request, None)
        self.now = self.timer()
        _, duration = self.parse_rate(self.get_rate())
        if duration is None:
            return
        history = [t for t in self.cache.get(self.key, []) if t > self.now - duration]
        history.insert(0, self.now)
        self.cache.set(self.key, history, duration)


class ApiGuessingMiddleware:
    """An address that sent too many wrong API credentials gets 429 before any credential is
    checked, whichever authentication class (session, API token, ingest or criteria token)
    would have read it. A failure is an answer 401 to a request that carried an
    `Authorization` header: a client that sends none is simply not signed in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Only a request that carries credentials can be a guess (and only those cost a look
        # in the shared counter): sessions and anonymous clients pass straight through.
        if not request.path.startswith(API_PREFIX) or not request.META.get("HTTP_AUTHORIZATION"):
            return self.get_response(request)
        guard = AuthFailureThrottle()
        if not guard.allow_request(request, None):  # type: ignore[arg-type]
            wait = guard.wait()
            refused = JsonResponse(
                {
                    "detail": wait_sentence(wait, "Too many wrong API credentials"),
                    "code": "throttled",
                    "retry_after": retry_after(wait),
                },
                status=429,
            )
            refused["Retry-After"] = str(retry_after(wait))
            return refused
        response = self.get_response(request)
        if response.status_code == 401:
            guard.record(request)
        return response

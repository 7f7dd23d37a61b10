"""When the database does not answer: a 503 with a sentence and Retry-After, never a 500.

The database going away (a restart, a failover, a network blip) is not a bug in a request:
the person should hear "try again in a moment", a wall screen should keep its last picture
and retry, and an API client should see a status it can retry on. Two places catch it:

* `DatabaseUnavailableMiddleware.process_exception` for errors raised by a view (pages and
  the API alike);
* `server_error` (the project's handler500) for errors raised outside a view, e.g. while the
  session middleware saves the session after the view ran.

Nothing here touches the database, so the answer itself cannot fail the same way.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

from .throttling import API_PREFIX

logger = logging.getLogger("focusboard.outage")

RETRY_AFTER_SECONDS = 5
SENTENCE = (
    "The database is not answering right now (a restart or a network problem). "
    "Nothing you did was lost; try again in a few seconds."
)
DATABASE_DOWN = (OperationalError, InterfaceError)
# SQLite raises OperationalError for a schema that does not match the code (a migration not
# applied) and for bad SQL too: those are bugs, and stay 500s with a traceback.
_NOT_AN_OUTAGE = (
    "no such table",
    "no such column",
    "no such function",
    "has no column named",
    "syntax error",
)


def is_outage(exc: BaseException | None) -> bool:
    """Whether an exception means the database is not answering (worth a retry), not a bug."""
    if not isinstance(exc, DATABASE_DOWN):
        return False
    text = str(exc).lower()
    return not any(marker in text for marker in _NOT_AN_OUTAGE)


def reason(exc: BaseException) -> str:
    """The first line of what the driver said: a log line, not a traceback."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


def _wants_json(request: HttpRequest) -> bool:
    if request.path.startswith(API_PREFIX) or request.path.endswith(".ics"):
        return True
    return "application/json" in request.headers.get("Accept", "")


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 answer: JSON `{"detail", "code"}` for the API, a small page otherwise."""
    response: HttpResponse
    if _wants_json(request):
        response = JsonResponse({"detail": SENTENCE, "code": "database_unavailable"}, status=503)
    else:
        html = loader.render_to_string("503.html", {"sentence": SENTENCE})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_outage(exception):
            return None
        # One line, not a traceback: the cause is outside the code.
        logger.warning(
            "Database unavailable during %s %s: %s", request.method, request.path, reason(exception)
        )
        return database_unavailable(request)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage raised outside a view is still a 503; anything else is
    Django's own 500 page."""
    if is_outage(sys.exc_info()[1]):
        return database_unavailable(request)
    return defaults.server_error(request)

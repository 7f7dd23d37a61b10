"""The one place tripwire alarms leave Focusboard by HTTP: a Slack-compatible webhook POST
through the app's one safe outgoing client (no private addresses, checked at connect time,
with an overall deadline)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

WEBHOOK_DEADLINE_SECONDS = 10.0


class WebhookError(Exception):
    """The webhook could not be reached or refused the message (the message says why)."""


def post_webhook(url: str, payload: Mapping[str, Any]) -> int:
    """POST `payload` as JSON; returns the HTTP status, raises WebhookError with a sentence."""
    # Imported here: the safe client lives in core.fetch, and a tripwire that has no webhook
    # should not need it.
    from core.fetch import FetchError, post_json

    try:
        status = post_json(url, payload, deadline_seconds=WEBHOOK_DEADLINE_SECONDS)
    except FetchError as exc:
        raise WebhookError(str(exc)) from exc
    if not 200 <= status < 300:
        raise WebhookError(f"The webhook answered HTTP {status}.")
    return status

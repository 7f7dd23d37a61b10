"""Undo toasts: after a destructive action the next page shows what happened with an Undo
button (and, for a finished or dropped topic, a field for what the team learned).

The toast is plain HTML (`templates/core/undo_toast.html`): without JavaScript it stays on
the result page as a form button; `static/js/undo.js` hides it after a few seconds. The undo
itself is a POST to a view that calls a reversing service, which refuses with 409 when the
state moved on meanwhile.

An action that redirects keeps its offer in the session until the next page shows it; an
htmx answer puts it straight into the fragment (`undo` in the context).

Where the thing undone is not in an append-only log (a removed member), the Undo form
carries a signed, expiring token naming what to restore, so an undo can only put back what
was really taken away, and only for UNDO_SECONDS.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from django.core import signing
from django.http import HttpRequest

from .rules import RuleCode, RuleViolation

SESSION_KEY = "undo_offer"
# How long a signed undo stays valid on the server; the toast itself goes after a few seconds.
UNDO_SECONDS = 10 * 60


@dataclass(frozen=True)
class UndoOffer:
    message: str  # what just happened, e.g. "Dropped “Leakage”."
    action: str  # where the Undo form posts
    fields: dict[str, str] = field(default_factory=dict)  # its hidden inputs
    label: str = "Undo"  # the button, named with its object for screen readers
    note_action: str = ""  # where an outcome note posts (finish and drop only)
    note_max_length: int = 0  # the note's field's own limit


def offer_undo(request: HttpRequest, offer: UndoOffer) -> None:
    """Show `offer` on the next page this session renders (after a redirect)."""
    request.session[SESSION_KEY] = asdict(offer)


def take_undo_offer(request: HttpRequest) -> UndoOffer | None:
    data = request.session.pop(SESSION_KEY, None) if hasattr(request, "session") else None
    if not isinstance(data, dict):
        return None
    try:
        return UndoOffer(**data)
    except TypeError:
        return None


def undo_offer(request: HttpRequest) -> dict[str, Any]:
    """Context processor: `undo` is called (and the offer taken) only by a template that
    shows it, so a page without a toast does not touch the session for it."""
    return {"undo": lambda: take_undo_offer(request)}


def sign_undo(kind: str, **data: Any) -> str:
    return signing.dumps(data, salt=f"undo:{kind}", compress=True)


def unsign_undo(kind: str, token: str, *, what: str) -> dict[str, Any]:
    """The data of a signed undo, or a 409 `undo_outdated` saying it is too late."""
    try:
        data: dict[str, Any] = signing.loads(token, salt=f"undo:{kind}", max_age=UNDO_SECONDS)
    except signing.SignatureExpired as exc:
        raise RuleViolation(
            RuleCode.UNDO_OUTDATED,
            f"It is too late to undo {what}: undo works for {UNDO_SECONDS // 60} minutes.",
        ) from exc
    except signing.BadSignature as exc:
        raise RuleViolation(RuleCode.UNDO_OUTDATED, f"This undo of {what} is not valid.") from exc
    return data

"""The one domain exception every service raises when a rule of the product is in the way, and
the one list of the rules' codes.

HTML views show `message` to the person; the API answers 409 `{"detail", "code", **extra}`.
"""

from __future__ import annotations

import enum
from typing import Any


class RuleCode(enum.StrEnum):
    """Every rule a service may refuse on. Clients rely on these strings: add, never rename."""

    FOCUS_CAP_REACHED = "focus_cap_reached"
    CAP_BELOW_ACTIVE = "cap_below_active"
    INVALID_TRANSITION = "invalid_transition"
    LAST_LEAD = "last_lead"
    ACTIVE_VISION_EXISTS = "active_vision_exists"
    NON_NEGOTIABLES_UNMET = "non_negotiables_unmet"
    REASON_REQUIRED = "reason_required"
    MEETING_TOO_LONG = "meeting_too_long"
    MEETING_CANCELLED = "meeting_cancelled"
    SLOT_CONFLICT = "slot_conflict"
    MAKER_TIME = "maker_time"
    UNDO_OUTDATED = "undo_outdated"
    MEETING_IN_PAST = "meeting_in_past"


class RuleViolation(Exception):
    def __init__(self, code: RuleCode, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = RuleCode(code)  # an unknown code fails here, not in a client
        self.message = message
        self.extra = extra

    def as_payload(self) -> dict[str, Any]:
        return {"detail": self.message, "code": str(self.code), **self.extra}

"""The one domain exception every service raises when a rule of the product is in the way.

HTML views show `message` to the person; the API answers 409 `{"detail", "code", **extra}`.
"""

from __future__ import annotations

from typing import Any


class RuleViolation(Exception):
    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra

    def as_payload(self) -> dict[str, Any]:
        return {"detail": self.message, "code": self.code, **self.extra}

"""The limits on what a request may carry, defined once.

* Every request body is refused by its `Content-Length` before it is read when it is larger
  than the view allows (`MAX_REQUEST_BYTES` unless the view says otherwise with
  `@body_limit(...)` or a `max_request_bytes` attribute on an API view class):
  `RequestSizeLimitMiddleware` answers 413 with a sentence, JSON for the API and a page
  for people.
* A JSON body is at most `MAX_JSON_DEPTH` arrays/objects deep (`core.parsers`).
* Text a person types has a length limit per kind of text (`TEXT_LIMITS` below), enforced by
  the model field (and so by forms and serializers) and, for long texts, by the database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

# Django's own default for form bodies is 2.5 MB; nothing a person types here comes near 1 MB.
MAX_REQUEST_BYTES = 1024 * 1024
# The largest payloads (a quarterly review, a batch of observations) are 4 levels deep.
MAX_JSON_DEPTH = 32
# What a multipart envelope adds around an uploaded file (boundaries, headers, other fields).
MULTIPART_OVERHEAD_BYTES = 64 * 1024

# --- Lengths of typed text: one definition per kind of text ---------------------------------
# One line: names and titles are CharFields (the database holds their max_length).
NAME_MAX_LENGTH = 100
# The title of something planned: a vision, a milestone, a non-negotiable, a meeting. (A focus
# topic's is shorter, focusboard.models.TITLE_MAX_LENGTH: it must fit a card on the wall.)
TITLE_MAX_LENGTH = 120
# A sentence or two: why a topic matters, a reason for a move, a note on a check.
SHORT_TEXT_MAX_LENGTH = 2_000
# A short label a person picks out of a list: which screen, which pipeline, which series.
LABEL_MAX_LENGTH = 60
# A few paragraphs: a vision's problem, descriptions, review notes and evidence.
LONG_TEXT_MAX_LENGTH = 10_000

F = TypeVar("F", bound=Callable[..., Any])


def max_length_of(model: Any, field_name: str) -> int:
    """The `max_length` a model field enforces, for a plain form or serializer field that
    feeds it (and the `limits` template filter): the number is written once, on the model."""
    length = model._meta.get_field(field_name).max_length
    if length is None:
        raise ValueError(f"{model.__name__}.{field_name} has no max_length")
    return int(length)


def body_limit(max_bytes: int, message: str | None = None) -> Callable[[F], F]:
    """Let a view accept a larger (or smaller) body than MAX_REQUEST_BYTES, e.g. an upload;
    `message` is the sentence a person reads when the body is larger."""

    def mark(view: F) -> F:
        view.max_request_bytes = max_bytes  # type: ignore[attr-defined]
        view.request_too_large_message = message  # type: ignore[attr-defined]
        return view

    return mark


def human_size(size: int) -> str:
    """Bytes as people read them: 1 MB, 2.1 MB, 64 KB (binary units, rounded up)."""
    mib = 1024 * 1024
    if size >= mib:
        tenths = -(-size * 10 // mib)
        whole, tenth = divmod(tenths, 10)
        return f"{whole} MB" if tenth == 0 else f"{whole}.{tenth} MB"
    return f"{-(-size // 1024)} KB"


def too_large_sentence(size: int, limit: int) -> str:
    return (
        f"The request is {human_size(size)}; at most {human_size(limit)} is accepted here. "
        "Send less at once."
    )

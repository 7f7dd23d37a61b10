"""How a refusal reaches a person: the one mapping from the services' exceptions to an HTTP
status and a sentence, for the HTML views and for the API.

* `RuleViolation` (a rule of the product is in the way) -> 409 and its message;
* Django's `ValidationError` (the input is wrong) -> 400 and its messages as one sentence;
* in the API, a missing object -> 404;
* in the API, too many requests -> 429 with Retry-After and a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import (
    ObjectDoesNotExist,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .forms import errors_as_sentence
from .rules import RuleCode, RuleViolation
from .throttling import retry_after, wait_sentence

# What a view catches around a service call; `refusal()` turns either into a response.
REFUSALS = (RuleViolation, ValidationError)


@dataclass(frozen=True)
class Refusal:
    message: str
    status: int


def validation_sentence(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def form_refusal(form: forms.BaseForm) -> Refusal:
    """A form that did not validate, as one sentence naming its fields."""
    return Refusal(errors_as_sentence(form), status.HTTP_400_BAD_REQUEST)


def refusal(exc: RuleViolation | ValidationError) -> Refusal:
    if isinstance(exc, RuleViolation):
        return Refusal(exc.message, status.HTTP_409_CONFLICT)
    return Refusal(validation_sentence(exc), status.HTTP_400_BAD_REQUEST)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: RuleViolation -> 409 {detail, code, ...}; Django's
    ValidationError -> 400 field errors; a missing object -> 404; a body Django refuses to
    parse -> 413/400 JSON rather than Django's HTML error page."""
    if isinstance(exc, RuleViolation):
        return Response(exc.as_payload(), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": "The request is too large.", "code": "request_too_large"},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return Response(
            {"detail": "The form has too many fields or files."},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, ObjectDoesNotExist):
        exc = Http404()
    if isinstance(exc, Throttled):
        # DRF's own sentence ("Request was throttled. Expected available in 3 seconds.") and
        # its Retry-After header, said the way the rest of the API speaks.
        seconds = getattr(exc, "wait", None)
        wait = retry_after(seconds)
        return Response(
            {"detail": wait_sentence(seconds), "code": "throttled", "retry_after": wait},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(wait)},
        )
    return drf_exception_handler(exc, context)


RULE_VIOLATION = inline_serializer(
    "RuleViolation",
    {
        "detail": serializers.CharField(help_text="A sentence a person understands."),
        "code": serializers.ChoiceField(
            choices=[(code.value, code.name) for code in RuleCode],
            help_text="A stable machine-readable code.",
        ),
    },
)


def conflict(*codes: RuleCode, note: str = "") -> OpenApiResponse:
    """The schema of a 409 answer naming the rules that can refuse the request:
    `extend_schema(responses={409: conflict(RuleCode.SLOT_CONFLICT, ...)})`."""
    description = "Refused by a rule: " + ", ".join(f"`{code}`" for code in codes) + "."
    return OpenApiResponse(RULE_VIOLATION, description=f"{description} {note}".strip())

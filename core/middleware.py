"""Refuse a request body by its declared size, before anything reads it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .limits import MAX_REQUEST_BYTES, too_large_sentence

TOO_LARGE = 413


def _declared(view_func: Callable[..., Any], name: str) -> Any:
    # A function view carries it (`@body_limit`); a DRF view carries its class (`.cls`).
    value = getattr(view_func, name, None)
    if value is None:
        value = getattr(getattr(view_func, "cls", None), name, None)
    return value


def is_api_view(view_func: Callable[..., Any]) -> bool:
    return hasattr(view_func, "cls")


class RequestSizeLimitMiddleware:
    """413 for a body larger than the view accepts, judged by `Content-Length` alone: a 300 MB
    upload is refused before a byte of it is read (Django's own limit, DATA_UPLOAD_MAX_MEMORY_SIZE,
    applies only once a form body is parsed, and never to uploaded files). Must come before
    CsrfViewMiddleware, which reads the form body to find its token."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0  # Django reads such a body as empty
        limit = _declared(view_func, "max_request_bytes") or MAX_REQUEST_BYTES
        if size <= limit:
            return None
        message = _declared(view_func, "request_too_large_message") or too_large_sentence(
            size, limit
        )
        if is_api_view(view_func):
            response: HttpResponse = JsonResponse(
                {"detail": message, "code": "request_too_large"}, status=TOO_LARGE
            )
        else:
            response = render(request, "413.html", {"message": message}, status=TOO_LARGE)
        return response

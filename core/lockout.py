"""The page a locked-out sign-in gets: the login page again, saying what happened and when
to try again, with 429 and Retry-After (django-axes calls `lockout_response`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.helpers import get_cool_off
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .throttling import retry_after


def lockout_message(minutes: int, until: str) -> str:
    unit = "minute" if minutes == 1 else "minutes"
    return (
        "Too many failed sign-ins for this username or from your address, so signing in is "
        f"paused. Try again after {until} (in {minutes} {unit}). If you forgot your "
        "password, reset it below."
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    cool_off = get_cool_off(request)
    seconds = retry_after(cool_off.total_seconds() if cool_off else 60)
    # Each failure during a lockout starts the cool-down again, so it ends this long from now.
    until = timezone.localtime(timezone.now() + timedelta(seconds=seconds))
    minutes = retry_after(seconds / 60)
    username = ""
    if isinstance(credentials, dict):
        username = str(credentials.get("username") or "")
    elif request.method == "POST":
        username = str(request.POST.get("username", ""))
    form = AuthenticationForm(request, initial={"username": username[:150]})
    response = render(
        request,
        "registration/login.html",
        {
            "form": form,
            "next": request.POST.get("next", "") if request.method == "POST" else "",
            "locked_out": lockout_message(minutes, until.strftime("%H:%M %Z")),
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response

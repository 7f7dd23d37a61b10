"""The focus board pages. The board itself arrives with the focus-board issue."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from teams.permissions import team_access


@login_required
@require_GET
def board(request: HttpRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug)
    return render(
        request,
        "focusboard/board.html",
        {"access": access, "team": access.team, "section": "board"},
    )

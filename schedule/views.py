"""The team's week and the maker schedule. The pages arrive with the maker-schedule issue."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from teams.permissions import team_access


@login_required
@require_GET
def week(request: HttpRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug)
    return render(
        request,
        "coming_soon.html",
        {
            "access": access,
            "team": access.team,
            "section": "schedule",
            "title": "Schedule",
            "text": "The team's week, maker-friendly meeting proposals and the maker report "
            "will live here. No meetings have been scheduled yet.",
        },
    )

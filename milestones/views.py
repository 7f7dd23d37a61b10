"""Vision, milestones and non-negotiables pages: honest empty states until their issues land."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from teams.permissions import team_access


def _coming(
    request: HttpRequest, team_slug: str, section: str, title: str, text: str
) -> HttpResponse:
    access = team_access(request.user, team_slug)
    return render(
        request,
        "coming_soon.html",
        {"access": access, "team": access.team, "section": section, "title": title, "text": text},
    )


@login_required
@require_GET
def vision(request: HttpRequest, team_slug: str) -> HttpResponse:
    return _coming(
        request,
        team_slug,
        "vision",
        "Vision",
        "The nine-month vision, its measurable definition of done and the three-month targets "
        "will live here. Nothing has been recorded yet.",
    )


@login_required
@require_GET
def milestone_list(request: HttpRequest, team_slug: str) -> HttpResponse:
    return _coming(
        request,
        team_slug,
        "milestones",
        "Milestones",
        "Milestones with soft target dates (aims, not deadlines) will live here. "
        "Nothing has been recorded yet.",
    )


@login_required
@require_GET
def non_negotiables(request: HttpRequest, team_slug: str) -> HttpResponse:
    return _coming(
        request,
        team_slug,
        "non-negotiables",
        "Non-negotiables",
        "The team's engineering non-negotiables (unit tests, design docs, robust job "
        "scheduling, …) will live here. Nothing has been recorded yet.",
    )

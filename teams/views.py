"""HTML pages for people and teams: my teams, team settings, my profile."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import apply_errors
from core.rules import RuleViolation

from . import selectors, services
from .extensions import settings_sections
from .forms import MemberAddForm, MemberRoleForm, ProfileForm, TeamCreateForm, TeamSettingsForm
from .models import Membership, Role
from .permissions import AuthedRequest, team_access


@login_required
@require_http_methods(["GET", "POST"])
def home(request: AuthedRequest) -> HttpResponse:
    form = TeamCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(creator=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{team.name} is ready. You are its lead.")
            return redirect("focusboard:board", team_slug=team.slug)
    teams = selectors.teams_for_user(request.user)
    return render(request, "teams/home.html", {"teams": teams, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def team_settings(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    team = access.team
    form = TeamSettingsForm(request.POST or None, instance=team)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(team=team, **form.cleaned_data)
        except RuleViolation as exc:
            form.add_error("focus_cap", exc.message)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Team settings saved.")
            return redirect("teams:settings", team_slug=team.slug)
        team.refresh_from_db()
    return render(
        request,
        "teams/settings.html",
        {
            "access": access,
            "team": team,
            "section": "settings",
            "form": form,
            "members": selectors.team_members(team),
            "add_form": MemberAddForm(),
            "roles": Role.choices,
            "extra_sections": settings_sections(request, access),
        },
    )


@login_required
@require_POST
def member_add(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            services.membership_add(team=access.team, **form.cleaned_data)
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        else:
            messages.success(request, f"{form.cleaned_data['username']} joined {access.team.name}.")
    else:
        messages.error(request, "Give a username and a role.")
    return redirect("teams:settings", team_slug=team_slug)


@login_required
@require_POST
def member_change(request: AuthedRequest, team_slug: str, username: str) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    get_object_or_404(Membership, team=access.team, user__username=username)
    try:
        if request.POST.get("action") == "remove":
            services.membership_remove(team=access.team, username=username)
            messages.success(request, f"{username} left {access.team.name}.")
        else:
            form = MemberRoleForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Pick a role: lead, member or viewer.")
            else:
                services.membership_change_role(
                    team=access.team, username=username, role=form.cleaned_data["role"]
                )
                messages.success(request, f"{username} is now {form.cleaned_data['role']}.")
    except RuleViolation as exc:
        messages.error(request, exc.message)
    return redirect("teams:settings", team_slug=team_slug)


@login_required
@require_http_methods(["GET", "POST"])
def me(request: AuthedRequest) -> HttpResponse:
    profile = services.profile_for(request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(
                user=request.user, fields=set(form.cleaned_data), **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Your time zone and hours are saved.")
            return redirect("me")
    return render(request, "teams/me.html", {"form": form})

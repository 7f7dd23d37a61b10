"""HTML pages for people and teams: my teams, team settings, invitations, my profile."""

from __future__ import annotations

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.confirm import confirm_first
from core.forms import apply_errors, errors_as_sentence
from core.rules import RuleViolation
from core.undo import UndoOffer, offer_undo, sign_undo, unsign_undo

from . import selectors, services
from .extensions import settings_sections
from .forms import (
    ApiTokenForm,
    InvitationForm,
    MemberAddForm,
    MemberRoleForm,
    NameForm,
    ProfileForm,
    SignUpForm,
    TeamCreateForm,
    TeamSettingsForm,
)
from .models import ApiToken, Invitation, InvitationState, Membership, Role, display_name
from .permissions import AuthedRequest, TeamAccess, team_access
from .sso import allow_sign_in_forms


@login_required
@require_http_methods(["GET", "POST"])
def home(request: AuthedRequest) -> HttpResponse:
    may_create = services.may_create_teams(request.user)
    if request.method == "POST" and not may_create:
        raise PermissionDenied(services.TEAM_CREATION_STAFF_ONLY)
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
    return render(
        request,
        "teams/home.html",
        {
            "teams": teams,
            "form": form if may_create else None,
            "invitations": selectors.invitations_for_username(request.user.username),
        },
    )


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
    return _settings_page(request, access, form)


def _settings_page(
    request: AuthedRequest,
    access: TeamAccess,
    form: TeamSettingsForm,
    *,
    issued_url: str = "",
    status: int = 200,
) -> HttpResponse:
    team = access.team
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
            "invite_form": InvitationForm(),
            "invitations": selectors.pending_invitations(team),
            "issued_url": issued_url,
            "invitation_days": django_settings.FOCUSBOARD_INVITATION_DAYS,
            "roles": Role.choices,
            "extra_sections": settings_sections(request, access),
        },
        status=status,
    )


@login_required
@require_POST
def member_add(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    form = MemberAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a username and a role.")
        return redirect("teams:settings", team_slug=team_slug)
    username, role = form.cleaned_data["username"], form.cleaned_data["role"]
    if request.user.is_staff:
        # Staff may know who has an account: they add the person at once.
        try:
            added = services.membership_add(team=access.team, username=username, role=role)
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        else:
            messages.success(request, f"{display_name(added.user)} joined {access.team.name}.")
        return redirect("teams:settings", team_slug=team_slug)
    # Everyone else gets the same answer whether or not the username exists: an invitation
    # the person finds on their home page when they sign in.
    if Membership.objects.filter(team=access.team, user__username=username).exists():
        messages.error(request, f"{username} is already a member of {access.team.name}.")
    else:
        services.invitation_create(
            team=access.team,
            invited_by=request.user,
            role=role,
            username=username,
            url_for=lambda secret: _invite_url(request, secret),
        )
        messages.success(request, services.invited_by_username_sentence(username))
    return redirect("teams:settings", team_slug=team_slug)


def _invite_url(request: HttpRequest, secret: str) -> str:
    return request.build_absolute_uri(reverse("invitation", args=[secret]))


@login_required
@require_POST
def invitation_add(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_as_sentence(form))
        return redirect("teams:settings", team_slug=team_slug)
    issued = services.invitation_create(
        team=access.team,
        invited_by=request.user,
        role=form.cleaned_data["role"],
        email=form.cleaned_data["email"],
        url_for=lambda secret: _invite_url(request, secret),
    )
    if issued.invitation.email:
        messages.success(request, f"Invitation sent to {issued.invitation.email}.")
    # The address is shown once, here, and never stored: rendered, not redirected.
    return _settings_page(
        request,
        access,
        TeamSettingsForm(instance=access.team),
        issued_url=issued.url,
        status=201,
    )


@login_required
@require_POST
def invitation_revoke(request: AuthedRequest, team_slug: str, invitation_id: int) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    invitation = get_object_or_404(Invitation, pk=invitation_id, team=access.team)
    if asked := confirm_first(
        request,
        question="Withdraw this invitation?",
        consequence="Its link stops working at once. To invite the person again, create a "
        "new invitation.",
        button="Withdraw the invitation",
        back=reverse("teams:settings", args=[team_slug]) + "#invitations",
    ):
        return asked
    services.invitation_revoke(invitation=invitation)
    messages.success(request, "Invitation withdrawn: its link no longer works.")
    return redirect("teams:settings", team_slug=team_slug)


def _gone(request: HttpRequest, exc: services.InvitationGone) -> HttpResponse:
    return render(
        request,
        "teams/invitation_gone.html",
        {"message": exc.message, "state": exc.state, "team": exc.team},
        status=410,
    )


def _joined(request: HttpRequest, membership: Membership) -> HttpResponse:
    messages.success(
        request,
        f"Welcome to {membership.team.name}. Your role: {membership.get_role_display().lower()}.",
    )
    return redirect("focusboard:board", team_slug=membership.team.slug)


@require_http_methods(["GET", "POST"])
@allow_sign_in_forms
def invitation(request: HttpRequest, secret: str) -> HttpResponse:
    """Open an invitation: signed out, create an account (or sign in first); signed in,
    accept it. Either way the person lands on the team's board with the invited role."""
    found = services.invitation_find(secret)
    if found is None:
        raise Http404("No such invitation.")
    state = found.state(timezone.now())
    if state != InvitationState.PENDING:
        return _gone(request, services.InvitationGone(found, state))
    form = SignUpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                return _joined(
                    request, services.invitation_accept(invitation=found, user=request.user)
                )
            if form.is_valid():
                try:
                    user, membership = services.invitation_sign_up(
                        invitation=found, **form.cleaned_data
                    )
                except ValidationError as exc:
                    apply_errors(form, exc)
                else:
                    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                    return _joined(request, membership)
        except services.InvitationGone as exc:
            return _gone(request, exc)
        status = 400
    return render(
        request,
        "teams/invitation.html",
        {"invitation": found, "form": form, "secret": secret},
        status=status,
    )


@login_required
@require_POST
def invitation_join(request: AuthedRequest, invitation_id: int) -> HttpResponse:
    """Accept an invitation made out to my username (listed on my home page)."""
    found = get_object_or_404(
        Invitation.objects.select_related("team"),
        pk=invitation_id,
        username=request.user.username,
    )
    try:
        return _joined(request, services.invitation_accept(invitation=found, user=request.user))
    except services.InvitationGone as exc:
        return _gone(request, exc)


@login_required
@require_POST
def member_change(request: AuthedRequest, team_slug: str, username: str) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    membership = get_object_or_404(Membership, team=access.team, user__username=username)
    try:
        if request.POST.get("action") == "remove":
            services.membership_remove(team=access.team, username=username)
            offer_undo(
                request,
                UndoOffer(
                    message=f"{display_name(membership.user)} left {access.team.name}.",
                    action=reverse("teams:member-restore", args=[team_slug]),
                    fields={
                        "undo": sign_undo(
                            "member",
                            team=access.team.pk,
                            user=membership.user_id,
                            role=membership.role,
                        )
                    },
                    label=f"Undo: remove {display_name(membership.user)}",
                ),
            )
        else:
            form = MemberRoleForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Pick a role: lead, member or viewer.")
            else:
                changed = services.membership_change_role(
                    team=access.team, username=username, role=form.cleaned_data["role"]
                )
                messages.success(
                    request, f"{display_name(changed.user)} is now {form.cleaned_data['role']}."
                )
    except RuleViolation as exc:
        messages.error(request, exc.message)
    return redirect("teams:settings", team_slug=team_slug)


@login_required
@require_POST
def member_restore(request: AuthedRequest, team_slug: str) -> HttpResponse:
    """The Undo of a removal: puts back exactly the person and role the signed token names."""
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    try:
        data = unsign_undo("member", request.POST.get("undo", ""), what="this removal")
        if data.get("team") != access.team.pk:
            raise Http404("No such removal in this team.")
        membership = services.membership_restore(
            team=access.team, user_id=data["user"], role=data["role"], actor=request.user
        )
    except RuleViolation as exc:
        messages.error(request, exc.message)
        return _settings_page(request, access, TeamSettingsForm(instance=access.team), status=409)
    messages.success(
        request,
        f"{display_name(membership.user)} is back in {access.team.name} as "
        f"{membership.get_role_display().lower()}.",
    )
    return redirect("teams:settings", team_slug=team_slug)


@login_required
@require_http_methods(["GET", "POST"])
def me(request: AuthedRequest) -> HttpResponse:
    profile = services.profile_for(request.user)
    naming = request.method == "POST" and request.POST.get("form") == "name"
    name_form = NameForm(
        request.POST if naming else None,
        initial={"first_name": request.user.first_name, "last_name": request.user.last_name},
    )
    if naming:
        if name_form.is_valid():
            services.name_update(user=request.user, **name_form.cleaned_data)
            messages.success(request, f"Colleagues now see you as {display_name(request.user)}.")
            return redirect("me")
        return render(
            request,
            "teams/me.html",
            {"form": ProfileForm(instance=profile), "name_form": name_form},
            status=400,
        )
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
    return render(request, "teams/me.html", {"form": form, "name_form": name_form})


@login_required
@require_http_methods(["GET", "POST"])
def me_tokens(request: AuthedRequest) -> HttpResponse:
    """A person's API keys: create one (shown once, on the page that made it), see when each
    was made, last used and expires, revoke one."""
    form = ApiTokenForm(request.POST or None)
    created: tuple[ApiToken, str] | None = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            created = services.api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["expires"],
            )
            form = ApiTokenForm()
        else:
            status = 400
    tokens = ApiToken.objects.filter(user=request.user)
    response = render(
        request,
        "teams/me_tokens.html",
        {
            "form": form,
            "created": created[0] if created else None,
            "secret": created[1] if created else "",
            "tokens": tokens,
            "now": timezone.now(),
            "api_url": request.build_absolute_uri("/api/v1/teams/"),
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"  # the page may hold a secret
    return response


@login_required
@require_POST
def me_token_revoke(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, f"The token “{token.name}” no longer works.")
    return redirect("me-tokens")

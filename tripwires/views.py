"""The tripwires pages: the team's tripwires with their pictures and the neutral tests
(`/t/<slug>/tripwires/`), and one tripwire's detail (observations, event log, mute, ingest
tokens). Plain form POSTs that redirect, so everything works without JavaScript."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from core.confirm import confirm_first
from core.errors import REFUSALS, refusal
from core.forms import apply_errors
from core.rules import RuleViolation
from teams.models import Role
from teams.permissions import AuthedRequest, TeamAccess, team_access

from . import detect, selectors, services
from .forms import (
    AlertSettingsForm,
    FindingForm,
    IngestTokenForm,
    MuteForm,
    NeutralTestForm,
    TripwireEditForm,
    TripwireForm,
)
from .models import AlertSettings, AlertSubscription, IngestToken, NeutralTest, Tripwire

OBSERVATIONS_SHOWN = 30
EVENTS_SHOWN = 100


def _list_context(request: AuthedRequest, access: TeamAccess, **forms: Any) -> dict[str, Any]:
    team, now = access.team, timezone.now()
    alerts = AlertSettings.objects.filter(team=team).first()
    return {
        "team": team,
        "access": access,
        "section": "tripwires",
        "cards": selectors.cards(team, now),
        "unresolved": list(selectors.unresolved_neutral_tests(team)),
        "neutral_tests": list(selectors.neutral_tests_of(team)[:50]),
        "following": access.is_lead
        or AlertSubscription.objects.filter(team=team, user=request.user).exists(),
        "form": forms.get("form") or TripwireForm(),
        "neutral_form": forms.get("neutral_form") or NeutralTestForm(),
        "alerts_form": forms.get("alerts_form") or AlertSettingsForm(instance=alerts),
        "finding_forms": forms.get("finding_forms", {}),
        "stale_factor": detect.STALE_FACTOR,
    }


@login_required
@require_GET
def tripwire_list(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug)
    # Silence is news too: announce pipelines that went quiet since anyone last looked.
    services.tripwires_check_stale(team=access.team)
    return render(request, "tripwires/list.html", _list_context(request, access))


@login_required
@require_POST
def tripwire_create(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    form = TripwireForm(request.POST)
    if form.is_valid():
        try:
            tripwire = services.tripwire_create(
                team=access.team, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Tripwire {tripwire.name} added.")
            return redirect("tripwires:detail", access.team.slug, tripwire.pk)
    context = _list_context(request, access, form=form)
    return render(request, "tripwires/list.html", context, status=400)


@login_required
@require_POST
def alerts_update(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    form = AlertSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.alert_settings_update(
                team=access.team, webhook_url=form.cleaned_data["webhook_url"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Webhook saved.")
            return redirect("tripwires:list", access.team.slug)
    context = _list_context(request, access, alerts_form=form)
    return render(request, "tripwires/list.html", context, status=400)


@login_required
@require_POST
def alerts_follow(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug)
    follow = request.POST.get("follow") == "1"
    services.alert_subscription_set(team=access.team, user=request.user, follow=follow)
    messages.success(
        request,
        "You will get an email when a tripwire trips, goes stale or recovers."
        if follow
        else "You will no longer get tripwire emails.",
    )
    return redirect("tripwires:list", access.team.slug)


@login_required
@require_POST
def neutral_test_create(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.MEMBER)
    form = NeutralTestForm(request.POST)
    if form.is_valid():
        a, b = form.arms()
        try:
            test = services.neutral_test_record(
                team=access.team,
                actor=request.user,
                name=form.cleaned_data["name"],
                neutralised=form.cleaned_data["neutralised"],
                a=a,
                b=b,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{test.name}: {test.sentence}")
            return redirect("tripwires:list", access.team.slug)
    context = _list_context(request, access, neutral_form=form)
    return render(request, "tripwires/list.html", context, status=400)


@login_required
@require_POST
def neutral_test_finding(request: AuthedRequest, team_slug: str, pk: int) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.MEMBER)
    test = get_object_or_404(NeutralTest, team=access.team, pk=pk)
    form = FindingForm(request.POST)
    if form.is_valid():
        try:
            services.neutral_test_record_finding(
                test=test, actor=request.user, finding=form.cleaned_data["finding"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Finding recorded for {test.name}.")
            return redirect("tripwires:list", access.team.slug)
    context = _list_context(request, access, finding_forms={test.pk: form})
    return render(request, "tripwires/list.html", context, status=400)


# --- One tripwire -----------------------------------------------------------------------------


def _tripwire(access: TeamAccess, pk: int) -> Tripwire:
    return get_object_or_404(selectors.tripwires_of(access.team), pk=pk)


def _detail_context(access: TeamAccess, tripwire: Tripwire, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "team": access.team,
        "access": access,
        "section": "tripwires",
        "card": selectors.card(tripwire, now),
        "tripwire": tripwire,
        "observations": list(selectors.observations_of(tripwire)[:OBSERVATIONS_SHOWN]),
        "events": list(selectors.events_of(tripwire)[:EVENTS_SHOWN]),
        "tokens": list(IngestToken.objects.filter(tripwire=tripwire).select_related("created_by"))
        if access.is_lead
        else [],
        "edit_form": extra.get("edit_form") or TripwireEditForm(instance=tripwire),
        "mute_form": extra.get("mute_form") or MuteForm(),
        "token_form": IngestTokenForm(),
        "secret": extra.get("secret"),
        "refusal": extra.get("refusal"),
        "muted": tripwire.muted_until is not None and tripwire.muted_until > now,
    }


@login_required
@require_GET
def tripwire_detail(request: AuthedRequest, team_slug: str, pk: int) -> HttpResponse:
    access = team_access(request.user, team_slug)
    tripwire = _tripwire(access, pk)
    return render(request, "tripwires/detail.html", _detail_context(access, tripwire))


@login_required
@require_POST
def tripwire_edit(request: AuthedRequest, team_slug: str, pk: int) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    tripwire = _tripwire(access, pk)
    # Bind to a copy: a refused edit must not show half-applied values as the tripwire's own.
    form = TripwireEditForm(request.POST, instance=Tripwire.objects.get(pk=tripwire.pk))
    if form.is_valid():
        changes = {f: form.cleaned_data[f] for f in TripwireForm.Meta.fields}
        try:
            services.tripwire_edit(
                tripwire=tripwire,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                **changes,
            )
        except REFUSALS as exc:
            if isinstance(exc, RuleViolation):
                form.add_error(None, exc.message)
            else:
                apply_errors(form, exc)
        else:
            messages.success(request, f"Tripwire {tripwire.name} saved; the change is logged.")
            return redirect("tripwires:detail", access.team.slug, tripwire.pk)
    context = _detail_context(access, tripwire, edit_form=form)
    return render(request, "tripwires/detail.html", context, status=400)


@login_required
@require_POST
def tripwire_mute(request: AuthedRequest, team_slug: str, pk: int) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    tripwire = _tripwire(access, pk)
    form = MuteForm(request.POST)
    if form.is_valid():
        try:
            services.tripwire_mute(
                tripwire=tripwire,
                actor=request.user,
                until=timezone.now() + timedelta(hours=form.cleaned_data["hours"]),
                reason=form.cleaned_data["reason"],
            )
        except REFUSALS as exc:
            answer = refusal(exc)
            form.add_error(None, answer.message)
            context = _detail_context(access, tripwire, mute_form=form)
            return render(request, "tripwires/detail.html", context, status=answer.status)
        messages.success(request, f"Tripwire {tripwire.name} muted; the reason is logged.")
        return redirect("tripwires:detail", access.team.slug, tripwire.pk)
    context = _detail_context(access, tripwire, mute_form=form)
    return render(request, "tripwires/detail.html", context, status=400)


@login_required
@require_POST
def tripwire_unmute(request: AuthedRequest, team_slug: str, pk: int) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    tripwire = services.tripwire_unmute(tripwire=_tripwire(access, pk), actor=request.user)
    messages.success(request, f"Tripwire {tripwire.name} is live again.")
    return redirect("tripwires:detail", access.team.slug, tripwire.pk)


@login_required
@require_POST
def token_issue(request: AuthedRequest, team_slug: str, pk: int) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    tripwire = _tripwire(access, pk)
    form = IngestTokenForm(request.POST)
    label = form.cleaned_data["label"] if form.is_valid() else ""
    _, secret = services.ingest_token_issue(tripwire=tripwire, actor=request.user, label=label)
    # The secret is shown on this answer only; it is stored hashed.
    response = render(
        request, "tripwires/detail.html", _detail_context(access, tripwire, secret=secret)
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: AuthedRequest, team_slug: str, pk: int, token_pk: int) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    tripwire = _tripwire(access, pk)
    token = get_object_or_404(IngestToken, tripwire=tripwire, pk=token_pk)
    if asked := confirm_first(
        request,
        question="Revoke this ingest token?",
        consequence="The pipeline using it can no longer post observations; give it a new "
        "token to let it post again.",
        button="Revoke the token",
        back=reverse("tripwires:detail", args=[access.team.slug, tripwire.pk]),
    ):
        return asked
    services.ingest_token_revoke(token=token, actor=request.user)
    messages.success(request, "Ingest token revoked: the pipeline using it can no longer post.")
    return redirect("tripwires:detail", access.team.slug, tripwire.pk)

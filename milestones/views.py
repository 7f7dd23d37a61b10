"""The vision page, the quarterly reviews (list, guided form, page, Markdown), and the
milestones (soft dates, checklist, slips) and the non-negotiables."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.confirm import confirm_first
from core.errors import REFUSALS, Refusal, form_refusal, refusal
from core.forms import errors_as_sentence
from teams.models import Role
from teams.permissions import AuthedRequest, TeamAccess, team_access

from . import selectors, services
from .forms import (
    AbandonForm,
    CheckForm,
    CriteriaTokenForm,
    CriterionForm,
    CriterionValueForm,
    MilestoneForm,
    MilestoneMoveForm,
    NonNegotiableForm,
    ReviewForm,
    TargetForm,
    VisionEditForm,
    VisionForm,
)
from .models import (
    CriteriaToken,
    DoneCriterion,
    Milestone,
    NonNegotiable,
    QuarterlyReview,
    Target,
    Vision,
)

# --- Vision page ------------------------------------------------------------------------------


def _vision_context(access: TeamAccess, **extra: Any) -> dict[str, Any]:
    team = access.team
    vision = selectors.shown_vision(team)
    today = selectors.team_today(team)
    page = selectors.vision_page(vision, today) if vision else None
    return {
        "access": access,
        "team": team,
        "section": "vision",
        "page": page,
        "vision": vision,
        "today": today,
        "create_form": extra.pop("create_form", None) or VisionForm(initial={"starts_on": today}),
        "criterion_form": extra.pop("criterion_form", None) or CriterionForm(),
        # Leads see the pipelines that post criteria values (one query, only for them).
        "tokens": (
            list(CriteriaToken.objects.filter(vision=vision).order_by("-created_at"))
            if vision and access.is_lead
            else []
        ),
        "token_form": CriteriaTokenForm(),
        **extra,
    }


def _vision_response(
    request: AuthedRequest,
    access: TeamAccess,
    refused: Refusal | None = None,
    *,
    partial: str = "vision-body",
    **extra: Any,
) -> HttpResponse:
    """htmx gets the re-rendered part of the page (with the message, and 400/409 when something
    was refused); a plain form post is redirected back to the page with the message."""
    error = refused.message if refused else ""
    if request.htmx:
        # Each part shows its own refusal, so a message never appears twice on the page.
        key = {"criteria": "criteria_error", "periods": "periods_error"}.get(partial, "error")
        context = _vision_context(access, **{key: error}, **extra)
        status = refused.status if refused else 200
        return render(request, f"milestones/vision.html#{partial}", context, status=status)
    if error:
        messages.error(request, error)
    return redirect("milestones:vision", team_slug=access.team.slug)


@login_required
@require_GET
def vision(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug)
    return render(request, "milestones/vision.html", _vision_context(access))


@login_required
@require_POST
def vision_create(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    form = VisionForm(request.POST)
    if not form.is_valid():
        return _vision_response(request, access, form_refusal(form), create_form=form)
    try:
        services.vision_create(team=access.team, actor=request.user, **form.cleaned_data)
    except REFUSALS as exc:
        return _vision_response(request, access, refusal(exc), create_form=form)
    return _vision_response(request, access)


def _active_vision(access: TeamAccess) -> Vision:
    return get_object_or_404(Vision, team=access.team, status="active")


@login_required
@require_http_methods(["GET", "POST"])
def vision_edit(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    vision = _active_vision(access)
    initial = {
        "title": vision.title,
        "problem": vision.problem,
        "starts_on": vision.starts_on,
        "ends_on": vision.ends_on,
    }
    form = VisionEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            reason = data.pop("reason")
            try:
                services.vision_update(
                    vision=vision, actor=request.user, fields=data, reason=reason
                )
            except REFUSALS as exc:
                refused = refusal(exc)
                status = refused.status
                form.add_error(None, refused.message)
            else:
                messages.success(request, "The vision is updated.")
                return redirect("milestones:vision", team_slug=team_slug)
        else:
            status = 400
    context = {
        "access": access,
        "team": access.team,
        "section": "vision",
        "vision": vision,
        "form": form,
        "abandon_form": AbandonForm(),
    }
    return render(request, "milestones/vision_edit.html", context, status=status)


@login_required
@require_POST
def vision_abandon(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    vision = _active_vision(access)
    form = AbandonForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_as_sentence(form))
        return redirect("milestones:vision-edit", team_slug=team_slug)
    try:
        services.vision_abandon(
            vision=vision, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except REFUSALS as exc:
        messages.error(request, refusal(exc).message)
        return redirect("milestones:vision-edit", team_slug=team_slug)
    messages.success(request, f"“{vision.title}” is abandoned. Charter the right problem next.")
    return redirect("milestones:vision", team_slug=team_slug)


@login_required
@require_POST
def criterion_add(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    vision = _active_vision(access)
    form = CriterionForm(request.POST)
    if not form.is_valid():
        return _vision_response(
            request, access, form_refusal(form), partial="criteria", criterion_form=form
        )
    try:
        services.criterion_add(vision=vision, actor=request.user, **form.cleaned_data)
    except REFUSALS as exc:
        return _vision_response(
            request, access, refusal(exc), partial="criteria", criterion_form=form
        )
    return _vision_response(request, access, partial="criteria")


@login_required
@require_POST
def criterion_value(request: AuthedRequest, team_slug: str, pk: int) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.MEMBER)
    criterion = get_object_or_404(
        DoneCriterion.objects.select_related("vision"), vision__team=access.team, pk=pk
    )
    form = CriterionValueForm(request.POST)
    if not form.is_valid():
        return _vision_response(request, access, form_refusal(form), partial="criteria")
    try:
        services.criterion_update_value(
            criterion=criterion, value=form.cleaned_data["current_value"], actor=request.user
        )
    except REFUSALS as exc:
        return _vision_response(request, access, refusal(exc), partial="criteria")
    return _vision_response(request, access, partial="criteria")


@login_required
@require_POST
def target_save(request: AuthedRequest, team_slug: str, period: int) -> HttpResponse:
    """Set a period's target, or revise it (with a reason)."""
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    vision = _active_vision(access)
    form = TargetForm(request.POST)
    if not form.is_valid():
        return _vision_response(request, access, form_refusal(form), partial="periods")
    target = Target.objects.filter(vision=vision, period=period).first()
    try:
        if target is None:
            services.target_create(
                vision=vision, actor=request.user, period=period, **form.cleaned_data
            )
        else:
            services.target_revise(target=target, actor=request.user, **form.cleaned_data)
    except REFUSALS as exc:
        return _vision_response(request, access, refusal(exc), partial="periods")
    return _vision_response(request, access, partial="periods")


@login_required
@require_POST
def criteria_token_create(request: AuthedRequest, team_slug: str) -> HttpResponse:
    """A token for a pipeline to post this vision's criteria values; shown once, here."""
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    vision = _active_vision(access)
    form = CriteriaTokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_as_sentence(form))
        return redirect("milestones:vision", team_slug=team_slug)
    token, secret = services.criteria_token_create(
        vision=vision, actor=request.user, label=form.cleaned_data["label"]
    )
    criteria_url = reverse("api-criterion-list", args=[team_slug, vision.pk])
    first = vision.criteria.order_by("position", "pk").values_list("pk", flat=True).first()
    url = request.build_absolute_uri(criteria_url) + f"{first or '<criterion id>'}/"
    context = {
        "access": access,
        "team": access.team,
        "section": "vision",
        "token": token,
        "secret": secret,
        "url": url,
    }
    response = render(request, "milestones/token_created.html", context)
    response["Cache-Control"] = "no-store"  # the secret is in this page only
    return response


@login_required
@require_POST
def criteria_token_revoke(request: AuthedRequest, team_slug: str, pk: int) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    token = get_object_or_404(CriteriaToken, vision__team=access.team, pk=pk)
    if asked := confirm_first(
        request,
        question=f"Revoke the pipeline token “{token.label}”?",
        consequence="The pipeline using it can no longer post values; give it a new token "
        "to let it post again.",
        button="Revoke the token",
        back=reverse("milestones:vision", args=[team_slug]),
    ):
        return asked
    services.criteria_token_revoke(token=token)
    messages.success(request, f"The pipeline “{token.label}” can no longer post values.")
    return redirect("milestones:vision", team_slug=team_slug)


# --- Quarterly reviews ------------------------------------------------------------------------


@login_required
@require_GET
def review_list(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug)
    vision = selectors.shown_vision(access.team)
    today = selectors.team_today(access.team)
    status = None
    if vision is not None and vision.is_active:
        reviewed = set(vision.reviews.values_list("period", flat=True))
        status = selectors.review_status(vision, reviewed, today)
    context = {
        "access": access,
        "team": access.team,
        "section": "vision",
        "vision": vision,
        "reviews": selectors.team_reviews(access.team),
        "status": status,
        "today": today,
    }
    return render(request, "milestones/reviews.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def review_new(request: AuthedRequest, team_slug: str) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    vision = _active_vision(access)
    today = selectors.team_today(access.team)
    period = services.reviewable_period(vision, today)
    criteria = list(vision.criteria.order_by("position", "pk"))
    next_target = (
        Target.objects.filter(vision=vision, period=period.number + 1).first() if period else None
    )
    initial = {
        "held_on": today,
        "still_right_problem": "yes",
        "attendees": [request.user.pk],
        "next_target_text": next_target.text if next_target else "",
    }
    form = ReviewForm(request.POST or None, team=access.team, criteria=criteria, initial=initial)
    status = 200
    if request.method == "POST" and period is not None:
        if form.is_valid():
            data = form.cleaned_data
            try:
                review = services.review_record(
                    vision=vision,
                    actor=request.user,
                    held_on=data["held_on"],
                    outcome=data["outcome"],
                    evidence=data["evidence"],
                    still_right_problem=data["still_right_problem"] == "yes",
                    still_right_note=data["still_right_note"],
                    notes=data["notes"],
                    attendees=data["attendees"],
                    criteria_values=form.criteria_values(),
                    next_target_text=data["next_target_text"],
                    next_target_reason=data["next_target_reason"],
                )
            except REFUSALS as exc:
                refused = refusal(exc)
                status = refused.status
                form.add_error(None, refused.message)
            else:
                messages.success(request, f"The review of period {review.period} is recorded.")
                return redirect("milestones:review-detail", team_slug=team_slug, pk=review.pk)
        else:
            status = 400
    elif request.method == "POST":
        status = 409
    current_target = (
        Target.objects.filter(vision=vision, period=period.number).first() if period else None
    )
    context = {
        "access": access,
        "team": access.team,
        "section": "vision",
        "vision": vision,
        "period": period,
        "target": current_target,
        "next_target": next_target,
        "has_next": period is not None and period.number < len(vision.periods),
        "form": form,
        "due": selectors.review_status(
            vision, set(vision.reviews.values_list("period", flat=True)), today
        ),
    }
    return render(request, "milestones/review_new.html", context, status=status)


def _review(access: TeamAccess, pk: int) -> QuarterlyReview:
    return get_object_or_404(
        QuarterlyReview.objects.select_related(
            "vision", "author", "next_target_revision"
        ).prefetch_related(selectors.ATTENDEES),
        vision__team=access.team,
        pk=pk,
    )


@login_required
@require_GET
def review_detail(request: AuthedRequest, team_slug: str, pk: int) -> HttpResponse:
    access = team_access(request.user, team_slug)
    view = selectors.review_view(_review(access, pk))
    context = {
        "access": access,
        "team": access.team,
        "section": "vision",
        "view": view,
        "review": view.review,
        "snapshot": view.review.snapshot,
        "markdown": review_markdown_text(view),
    }
    return render(request, "milestones/review_detail.html", context)


def review_markdown_text(view: selectors.ReviewView) -> str:
    return render_to_string(
        "milestones/review.md", {"view": view, "review": view.review, "snap": view.review.snapshot}
    )


@login_required
@require_GET
def review_markdown(request: AuthedRequest, team_slug: str, pk: int) -> HttpResponse:
    """The review as Markdown, for a leadership update outside the team."""
    access = team_access(request.user, team_slug)
    view = selectors.review_view(_review(access, pk))
    response = HttpResponse(review_markdown_text(view), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = (
        f'inline; filename="{access.team.slug}-review-{view.review.held_on}.md"'
    )
    return response


# --- Milestones and non-negotiables ----------------------------------------------------------


def _milestone_rows(access: TeamAccess, wanted: str = "all") -> list[selectors.MilestoneRow]:
    team = access.team
    return selectors.milestone_rows(
        selectors.milestones(team, wanted),
        selectors.active_non_negotiables(team),
        selectors.team_today(team),
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_list(request: AuthedRequest, team_slug: str) -> HttpResponse:
    """Milestones grouped by target, with soft dates, checklist progress and slips."""
    access = team_access(
        request.user, team_slug, min_role=Role.MEMBER if request.method == "POST" else Role.VIEWER
    )
    form = MilestoneForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ValidationError(form_refusal(form).message)
            milestone = services.milestone_create(
                team=access.team, actor=request.user, **form.cleaned_data
            )
            return redirect("milestones:milestone-detail", team_slug=team_slug, pk=milestone.pk)
        except REFUSALS as exc:
            refused = refusal(exc)
            messages.error(request, refused.message)
            status = refused.status
    context = {
        "access": access,
        "team": access.team,
        "section": "milestones",
        "groups": selectors.group_by_target(_milestone_rows(access)),
        "form": form,
    }
    return render(request, "milestones/milestones.html", context, status=status)


def _milestone(access: TeamAccess, pk: int) -> Milestone:
    return get_object_or_404(Milestone, team=access.team, pk=pk)


def _detail(
    request: AuthedRequest,
    access: TeamAccess,
    pk: int,
    refused: Refusal | None = None,
    partial: str | None = None,
    **extra: Any,
) -> HttpResponse:
    _milestone(access, pk)
    row = next(r for r in _milestone_rows(access) if r.milestone.pk == pk)
    context = {
        "access": access,
        "team": access.team,
        "section": "milestones",
        "row": row,
        "m": row.milestone,
        "checklist": selectors.checklist(row.milestone, row.active),
        "slips": list(row.milestone.slips.all()),
        # Through the reverse relation: milestones does not import the board's app.
        "focus_items": list(row.milestone.focus_items.order_by("status", "position", "pk")),
        "move_form": extra.pop("move_form", None)
        or MilestoneMoveForm(
            initial={"target_date": row.milestone.target_date, "precision": row.milestone.precision}
        ),
        # Each part shows its own refusal, so a message never appears twice.
        f"{partial or 'details'}_error": refused.message if refused else "",
        **extra,
    }
    status = refused.status if refused else 200
    template = "milestones/milestone.html" + (f"#{partial}" if partial and request.htmx else "")
    if refused and not request.htmx and request.method == "POST":
        messages.error(request, refused.message)
        return redirect("milestones:milestone-detail", team_slug=access.team.slug, pk=pk)
    if request.method == "POST" and not request.htmx:
        return redirect("milestones:milestone-detail", team_slug=access.team.slug, pk=pk)
    return render(request, template, context, status=status)


@login_required
@require_GET
def milestone_detail(request: AuthedRequest, team_slug: str, pk: int) -> HttpResponse:
    return _detail(request, team_access(request.user, team_slug), pk)


@login_required
@require_POST
def milestone_move(request: AuthedRequest, team_slug: str, pk: int) -> HttpResponse:
    """Move the soft date: a reason always, the basis of the estimate after two moves."""
    access = team_access(request.user, team_slug, min_role=Role.MEMBER)
    form = MilestoneMoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form_refusal(form).message)
        data = dict(form.cleaned_data)
        reason, basis = data.pop("reason"), data.pop("basis")
        services.milestone_update(
            milestone=_milestone(access, pk),
            actor=request.user,
            fields=data,
            reason=reason,
            basis=basis,
        )
    except REFUSALS as exc:
        return _detail(request, access, pk, refusal(exc), partial="details", move_form=form)
    return _detail(request, access, pk, partial="details")


@login_required
@require_POST
def milestone_complete(request: AuthedRequest, team_slug: str, pk: int) -> HttpResponse:
    access = team_access(request.user, team_slug, min_role=Role.MEMBER)
    try:
        services.milestone_complete(milestone=_milestone(access, pk), actor=request.user)
    except REFUSALS as exc:
        return _detail(request, access, pk, refusal(exc), partial="checklist")
    return _detail(request, access, pk, partial="checklist")


@login_required
@require_POST
def check_toggle(request: AuthedRequest, team_slug: str, pk: int, item: int) -> HttpResponse:
    """Check one non-negotiable (with its evidence), or uncheck it (`uncheck=1`)."""
    access = team_access(request.user, team_slug, min_role=Role.MEMBER)
    milestone = _milestone(access, pk)
    non_negotiable = get_object_or_404(NonNegotiable, team=access.team, pk=item)
    form = CheckForm(request.POST)
    try:
        if request.POST.get("uncheck"):
            services.check_remove(
                milestone=milestone, non_negotiable=non_negotiable, actor=request.user
            )
        elif not form.is_valid():
            raise ValidationError(form_refusal(form).message)
        else:
            services.check_set(
                milestone=milestone,
                non_negotiable=non_negotiable,
                actor=request.user,
                evidence=form.cleaned_data["evidence"],
            )
    except REFUSALS as exc:
        return _detail(request, access, pk, refusal(exc), partial="checklist")
    return _detail(request, access, pk, partial="checklist")


@login_required
@require_http_methods(["GET", "POST"])
def non_negotiables(request: AuthedRequest, team_slug: str) -> HttpResponse:
    """The team's non-negotiables; leads add them (they apply to every open milestone)."""
    access = team_access(
        request.user, team_slug, min_role=Role.LEAD if request.method == "POST" else Role.VIEWER
    )
    form = NonNegotiableForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ValidationError(form_refusal(form).message)
            services.non_negotiable_add(team=access.team, actor=request.user, **form.cleaned_data)
            return redirect("milestones:non-negotiables", team_slug=team_slug)
        except REFUSALS as exc:
            refused = refusal(exc)
            messages.error(request, refused.message)
            status = refused.status
    items = NonNegotiable.objects.filter(team=access.team).prefetch_related("versions")
    context = {
        "access": access,
        "team": access.team,
        "section": "non-negotiables",
        "items": list(items),
        "form": form,
    }
    return render(request, "milestones/non_negotiables.html", context, status=status)


@login_required
@require_POST
def non_negotiable_edit(request: AuthedRequest, team_slug: str, pk: int) -> HttpResponse:
    """Reword (a new version) or retire (`retire=1`) a non-negotiable; nothing is deleted."""
    access = team_access(request.user, team_slug, min_role=Role.LEAD)
    item = get_object_or_404(NonNegotiable, team=access.team, pk=pk)
    form = NonNegotiableForm(request.POST)
    try:
        if request.POST.get("retire"):
            services.non_negotiable_retire(item=item)
        elif not form.is_valid():
            raise ValidationError(form_refusal(form).message)
        else:
            services.non_negotiable_update(item=item, actor=request.user, fields=form.cleaned_data)
    except REFUSALS as exc:
        messages.error(request, refusal(exc).message)
    return redirect("milestones:non-negotiables", team_slug=team_slug)

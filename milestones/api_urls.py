from django.urls import path

from . import api, checklist_api

visions = api.VisionViewSet
criteria = api.CriterionViewSet
vision_targets = api.VisionTargetViewSet
targets = api.TargetViewSet
reviews = api.ReviewViewSet
tokens = api.CriteriaTokenViewSet
milestones = checklist_api.MilestoneViewSet
checks = checklist_api.CheckViewSet
non_negotiables = checklist_api.NonNegotiableViewSet
V = "teams/<slug:team_slug>/visions/"
M = "teams/<slug:team_slug>/milestones/"
MID = M + "<int:milestone_id>/"
NN = "teams/<slug:team_slug>/non-negotiables/"
VID = V + "<int:vision_id>/"

urlpatterns = [
    path(V, visions.as_view({"get": "list", "post": "create"}), name="api-vision-list"),
    path(V + "current/", visions.as_view({"get": "current"}), name="api-vision-current"),
    path(
        VID,
        visions.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="api-vision-detail",
    ),
    path(
        VID + "criteria/",
        criteria.as_view({"get": "list", "post": "create"}),
        name="api-criterion-list",
    ),
    path(
        VID + "criteria/<int:criterion_id>/",
        criteria.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="api-criterion-detail",
    ),
    path(
        VID + "targets/",
        vision_targets.as_view({"get": "list", "post": "create"}),
        name="api-vision-target-list",
    ),
    path(
        VID + "reviews/",
        reviews.as_view({"get": "list", "post": "create"}),
        name="api-review-list",
    ),
    path(
        VID + "reviews/<int:review_id>/",
        reviews.as_view({"get": "retrieve"}),
        name="api-review-detail",
    ),
    path(
        VID + "criteria-tokens/",
        tokens.as_view({"get": "list", "post": "create"}),
        name="api-criteria-token-list",
    ),
    path(
        VID + "criteria-tokens/<int:token_id>/",
        tokens.as_view({"delete": "destroy"}),
        name="api-criteria-token-detail",
    ),
    path(
        "teams/<slug:team_slug>/targets/<int:target_id>/",
        targets.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="api-target-detail",
    ),
    path(
        "teams/<slug:team_slug>/targets/<int:target_id>/revisions/",
        targets.as_view({"get": "revisions"}),
        name="api-target-revisions",
    ),
    path(M, milestones.as_view({"get": "list", "post": "create"}), name="api-milestone-list"),
    path(
        MID,
        milestones.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="api-milestone-detail",
    ),
    path(
        MID + "complete/", milestones.as_view({"post": "complete"}), name="api-milestone-complete"
    ),
    path(MID + "slips/", milestones.as_view({"get": "slips"}), name="api-milestone-slips"),
    path(MID + "checks/", checks.as_view({"get": "list"}), name="api-check-list"),
    path(
        MID + "checks/<int:non_negotiable_id>/",
        checks.as_view({"put": "update", "delete": "destroy"}),
        name="api-check-detail",
    ),
    path(NN, non_negotiables.as_view({"get": "list", "post": "create"}), name="api-nn-list"),
    path(
        NN + "<int:non_negotiable_id>/",
        non_negotiables.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="api-nn-detail",
    ),
]

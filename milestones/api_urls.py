from django.urls import path

from . import api

visions = api.VisionViewSet
criteria = api.CriterionViewSet
vision_targets = api.VisionTargetViewSet
targets = api.TargetViewSet
reviews = api.ReviewViewSet
tokens = api.CriteriaTokenViewSet
V = "teams/<slug:team_slug>/visions/"
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
]

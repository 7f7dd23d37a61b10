from django.urls import path

from . import views

app_name = "milestones"

T = "t/<slug:team_slug>/"

urlpatterns = [
    path(T + "vision/", views.vision, name="vision"),
    path(T + "vision/new/", views.vision_create, name="vision-create"),
    path(T + "vision/edit/", views.vision_edit, name="vision-edit"),
    path(T + "vision/abandon/", views.vision_abandon, name="vision-abandon"),
    path(T + "vision/criteria/", views.criterion_add, name="criterion-add"),
    path(T + "vision/criteria/<int:pk>/value/", views.criterion_value, name="criterion-value"),
    path(T + "vision/targets/<int:period>/", views.target_save, name="target-save"),
    path(T + "vision/tokens/", views.criteria_token_create, name="criteria-token-create"),
    path(
        T + "vision/tokens/<int:pk>/revoke/",
        views.criteria_token_revoke,
        name="criteria-token-revoke",
    ),
    path(T + "reviews/", views.review_list, name="review-list"),
    path(T + "reviews/new/", views.review_new, name="review-new"),
    path(T + "reviews/<int:pk>/", views.review_detail, name="review-detail"),
    path(T + "reviews/<int:pk>.md", views.review_markdown, name="review-markdown"),
    path(T + "milestones/", views.milestone_list, name="milestone-list"),
    path(T + "milestones/<int:pk>/", views.milestone_detail, name="milestone-detail"),
    path(T + "milestones/<int:pk>/move/", views.milestone_move, name="milestone-move"),
    path(T + "milestones/<int:pk>/complete/", views.milestone_complete, name="milestone-complete"),
    path(T + "milestones/<int:pk>/checks/<int:item>/", views.check_toggle, name="check-toggle"),
    path(T + "non-negotiables/", views.non_negotiables, name="non-negotiables"),
    path(T + "non-negotiables/<int:pk>/", views.non_negotiable_edit, name="non-negotiable-edit"),
]

from django.urls import path

from . import api
from . import converters as _converters  # noqa: F401  (registers <username:>)

team_list = api.TeamViewSet.as_view({"get": "list", "post": "create"})
team_detail = api.TeamViewSet.as_view({"get": "retrieve", "patch": "partial_update"})
member_list = api.MemberViewSet.as_view({"get": "list", "post": "create"})
member_detail = api.MemberViewSet.as_view(
    {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}
)

invitation_list = api.InvitationViewSet.as_view({"get": "list", "post": "create"})
invitation_detail = api.InvitationViewSet.as_view({"delete": "destroy"})

urlpatterns = [
    path("me/", api.MeView.as_view(), name="api-me"),
    path("teams/", team_list, name="api-team-list"),
    path("teams/<slug:team_slug>/", team_detail, name="api-team-detail"),
    path("teams/<slug:team_slug>/members/", member_list, name="api-member-list"),
    path(
        "teams/<slug:team_slug>/members/<username:username>/",
        member_detail,
        name="api-member-detail",
    ),
    path("teams/<slug:team_slug>/invitations/", invitation_list, name="api-invitation-list"),
    path(
        "teams/<slug:team_slug>/invitations/<int:pk>/",
        invitation_detail,
        name="api-invitation-detail",
    ),
]

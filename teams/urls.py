from django.urls import path

from . import converters as _converters  # noqa: F401  (registers <username:>)
from . import views

app_name = "teams"

urlpatterns = [
    path("t/<slug:team_slug>/settings/", views.team_settings, name="settings"),
    path("t/<slug:team_slug>/settings/members/", views.member_add, name="member-add"),
    path(
        "t/<slug:team_slug>/settings/invitations/",
        views.invitation_add,
        name="invitation-add",
    ),
    path(
        "t/<slug:team_slug>/settings/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    # Not under members/<username>/: a person could be called "restore".
    path(
        "t/<slug:team_slug>/settings/undo-remove/",
        views.member_restore,
        name="member-restore",
    ),
    path("invitations/<int:invitation_id>/join/", views.invitation_join, name="invitation-join"),
    path(
        "t/<slug:team_slug>/settings/members/<username:username>/",
        views.member_change,
        name="member-change",
    ),
]

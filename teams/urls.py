from django.urls import path

from . import views

app_name = "teams"

urlpatterns = [
    path("t/<slug:team_slug>/settings/", views.team_settings, name="settings"),
    path("t/<slug:team_slug>/settings/members/", views.member_add, name="member-add"),
    path(
        "t/<slug:team_slug>/settings/members/<str:username>/",
        views.member_change,
        name="member-change",
    ),
]

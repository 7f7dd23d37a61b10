from django.urls import path

from . import views

app_name = "milestones"

urlpatterns = [
    path("t/<slug:team_slug>/vision/", views.vision, name="vision"),
    path("t/<slug:team_slug>/milestones/", views.milestone_list, name="milestone-list"),
    path("t/<slug:team_slug>/non-negotiables/", views.non_negotiables, name="non-negotiables"),
]

from django.urls import path

from . import views

app_name = "schedule"

urlpatterns = [
    path("t/<slug:team_slug>/schedule/", views.week, name="week"),
]

from django.urls import path

from . import views

app_name = "focusboard"

urlpatterns = [
    path("t/<slug:team_slug>/", views.board, name="board"),
]

from django.urls import path

from . import views

app_name = "tripwires"

urlpatterns = [
    path("t/<slug:team_slug>/tripwires/", views.tripwire_list, name="list"),
    path("t/<slug:team_slug>/tripwires/new/", views.tripwire_create, name="create"),
    path("t/<slug:team_slug>/tripwires/alerts/", views.alerts_update, name="alerts"),
    path("t/<slug:team_slug>/tripwires/follow/", views.alerts_follow, name="follow"),
    path("t/<slug:team_slug>/tripwires/<int:pk>/", views.tripwire_detail, name="detail"),
    path("t/<slug:team_slug>/tripwires/<int:pk>/edit/", views.tripwire_edit, name="edit"),
    path("t/<slug:team_slug>/tripwires/<int:pk>/mute/", views.tripwire_mute, name="mute"),
    path("t/<slug:team_slug>/tripwires/<int:pk>/unmute/", views.tripwire_unmute, name="unmute"),
    path("t/<slug:team_slug>/tripwires/<int:pk>/tokens/", views.token_issue, name="token-issue"),
    path(
        "t/<slug:team_slug>/tripwires/<int:pk>/tokens/<int:token_pk>/revoke/",
        views.token_revoke,
        name="token-revoke",
    ),
    path("t/<slug:team_slug>/neutral-tests/", views.neutral_test_create, name="neutral-create"),
    path(
        "t/<slug:team_slug>/neutral-tests/<int:pk>/finding/",
        views.neutral_test_finding,
        name="neutral-finding",
    ),
]

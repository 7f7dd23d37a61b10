from django.urls import path

from . import views

app_name = "focusboard"

urlpatterns = [
    path("t/<slug:team_slug>/", views.board, name="board"),
    path("t/<slug:team_slug>/items/", views.item_add, name="item-add"),
    path("t/<slug:team_slug>/items/swap/", views.item_swap, name="item-swap"),
    path("t/<slug:team_slug>/items/<int:pk>/edit/", views.item_edit, name="item-edit"),
    path(
        "t/<slug:team_slug>/items/<int:pk>/<slug:action>/",
        views.item_action,
        name="item-action",
    ),
    path("t/<slug:team_slug>/history/", views.history, name="history"),
    path("t/<slug:team_slug>/focus.txt", views.focus_txt, name="focus-txt"),
    path("t/<slug:team_slug>/wall/", views.wall, name="wall"),
    path("t/<slug:team_slug>/wall/content/", views.wall_partial, name="wall-partial"),
    path("t/<slug:team_slug>/wall/reload/", views.wall_reload, name="wall-reload"),
    path("t/<slug:team_slug>/settings/kiosk/", views.kiosk_create, name="kiosk-create"),
    path(
        "t/<slug:team_slug>/settings/kiosk/<int:pk>/revoke/",
        views.kiosk_revoke,
        name="kiosk-revoke",
    ),
    path(
        "t/<slug:team_slug>/settings/wall-playlists/",
        views.wall_playlists_opt,
        name="wall-playlists-opt",
    ),
    path("walls/", views.wall_playlists, name="playlists"),
    path("walls/<int:pk>/", views.wall_playlist, name="playlist"),
    path("walls/<int:pk>/screens/", views.playlist_token_create, name="playlist-token-create"),
    path(
        "walls/<int:pk>/screens/<int:token_pk>/revoke/",
        views.playlist_token_revoke,
        name="playlist-token-revoke",
    ),
    path("walls/screen/<str:secret>/", views.playlist_screen, name="playlist-screen"),
    path(
        "walls/screen/<str:secret>/content/",
        views.playlist_screen_turn,
        name="playlist-screen-turn",
    ),
    path("wall/<str:secret>/", views.kiosk_wall, name="kiosk-wall"),
    path("wall/<str:secret>/content/", views.kiosk_wall_partial, name="kiosk-wall-partial"),
]

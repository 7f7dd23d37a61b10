from django.urls import path

from . import feeds, views

app_name = "schedule"

urlpatterns = [
    path("feeds/<str:secret>.ics", feeds.feed, name="feed"),
    path("me/feeds/", views.me_feeds, name="me-feeds"),
    path(
        "t/<slug:team_slug>/schedule/invitations/retry/",
        views.invitations_retry_view,
        name="invitations-retry",
    ),
    path("me/feeds/<int:token_id>/rotate/", views.me_feed_rotate, name="me-feed-rotate"),
    path("me/feeds/<int:token_id>/revoke/", views.me_feed_revoke, name="me-feed-revoke"),
    path("t/<slug:team_slug>/schedule/", views.week, name="week"),
    path("t/<slug:team_slug>/schedule/policy/", views.policy, name="policy"),
    path("t/<slug:team_slug>/schedule/propose/", views.propose, name="propose"),
    path("t/<slug:team_slug>/schedule/book/", views.book, name="book"),
    path(
        "t/<slug:team_slug>/schedule/meetings/<int:meeting_id>/cancel/",
        views.meeting_cancel,
        name="meeting-cancel",
    ),
    path(
        "t/<slug:team_slug>/schedule/meetings/<int:meeting_id>/move/",
        views.meeting_move,
        name="meeting-move",
    ),
    path("me/calendars/", views.my_calendars, name="my-calendars"),
    path("me/calendars/upload/", views.busy_upload, name="busy-upload"),
    path("me/calendars/url/", views.busy_add_url, name="busy-url"),
    path("me/calendars/<int:source_id>/refresh/", views.busy_refresh, name="busy-refresh"),
    path("me/calendars/<int:source_id>/delete/", views.busy_delete, name="busy-delete"),
]

from django.urls import path

from . import api

meetings = api.MeetingViewSet
sources = api.BusySourceViewSet
mine = api.MyCalendarViewSet

urlpatterns = [
    path(
        "teams/<slug:team_slug>/maker-policy/",
        api.MakerPolicyView.as_view(),
        name="api-maker-policy",
    ),
    path(
        "teams/<slug:team_slug>/slot-proposals/",
        api.SlotProposalsView.as_view(),
        name="api-slot-proposals",
    ),
    path(
        "teams/<slug:team_slug>/meetings/",
        meetings.as_view({"get": "list", "post": "create"}),
        name="api-meeting-list",
    ),
    path(
        "teams/<slug:team_slug>/meetings/<int:pk>/",
        meetings.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="api-meeting-detail",
    ),
    path(
        "teams/<slug:team_slug>/meetings/<int:pk>/cancel/",
        meetings.as_view({"post": "cancel"}),
        name="api-meeting-cancel",
    ),
    path(
        "teams/<slug:team_slug>/busy-sources/",
        sources.as_view({"get": "list", "post": "create"}),
        name="api-busy-source-list",
    ),
    path(
        "teams/<slug:team_slug>/busy-sources/<int:pk>/",
        sources.as_view({"get": "retrieve", "delete": "destroy"}),
        name="api-busy-source-detail",
    ),
    path(
        "teams/<slug:team_slug>/busy-sources/<int:pk>/refresh/",
        sources.as_view({"post": "refresh"}),
        name="api-busy-source-refresh",
    ),
    path("me/calendars/", mine.as_view({"get": "list", "post": "create"}), name="api-my-calendars"),
    path(
        "me/calendars/<int:pk>/",
        mine.as_view({"get": "retrieve", "delete": "destroy"}),
        name="api-my-calendar-detail",
    ),
    path(
        "me/calendars/<int:pk>/refresh/",
        mine.as_view({"post": "refresh"}),
        name="api-my-calendar-refresh",
    ),
    path(
        "teams/<slug:team_slug>/maker-report/",
        api.MakerReportView.as_view(),
        name="api-maker-report",
    ),
    path(
        "teams/<slug:team_slug>/rebalance/",
        api.RebalanceView.as_view(),
        name="api-rebalance",
    ),
    path(
        "me/feeds/",
        api.FeedTokenViewSet.as_view({"get": "list", "post": "create"}),
        name="api-feed-list",
    ),
    path(
        "me/feeds/<int:pk>/",
        api.FeedTokenViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="api-feed-detail",
    ),
    path(
        "me/feeds/<int:pk>/rotate/",
        api.FeedTokenViewSet.as_view({"post": "rotate"}),
        name="api-feed-rotate",
    ),
]

from django.urls import path

from . import api

tripwires = api.TripwireViewSet
tokens = api.IngestTokenViewSet
tests = api.NeutralTestViewSet
base = "teams/<slug:team_slug>/"

urlpatterns = [
    path(
        f"{base}tripwires/",
        tripwires.as_view({"get": "list", "post": "create"}),
        name="api-tripwire-list",
    ),
    path(
        f"{base}tripwires/<int:pk>/",
        tripwires.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="api-tripwire-detail",
    ),
    path(
        f"{base}tripwires/<int:pk>/mute/",
        tripwires.as_view({"post": "mute"}),
        name="api-tripwire-mute",
    ),
    path(
        f"{base}tripwires/<int:pk>/unmute/",
        tripwires.as_view({"post": "unmute"}),
        name="api-tripwire-unmute",
    ),
    path(
        f"{base}tripwires/<int:pk>/events/",
        tripwires.as_view({"get": "events"}),
        name="api-tripwire-events",
    ),
    path(
        f"{base}tripwires/<int:pk>/observations/",
        api.ObservationsView.as_view(),
        name="api-tripwire-observations",
    ),
    path(
        f"{base}tripwires/<int:tripwire_pk>/ingest-tokens/",
        tokens.as_view({"get": "list", "post": "create"}),
        name="api-ingest-token-list",
    ),
    path(
        f"{base}tripwires/<int:tripwire_pk>/ingest-tokens/<int:pk>/",
        tokens.as_view({"delete": "destroy"}),
        name="api-ingest-token-detail",
    ),
    path(f"{base}tripwire-alerts/", api.AlertSettingsView.as_view(), name="api-tripwire-alerts"),
    path(
        f"{base}neutral-tests/",
        tests.as_view({"get": "list", "post": "create"}),
        name="api-neutral-test-list",
    ),
    path(
        f"{base}neutral-tests/<int:pk>/",
        tests.as_view({"get": "retrieve"}),
        name="api-neutral-test-detail",
    ),
    path(
        f"{base}neutral-tests/<int:pk>/finding/",
        tests.as_view({"post": "finding"}),
        name="api-neutral-test-finding",
    ),
]

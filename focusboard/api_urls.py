from django.urls import path

from . import api

items = api.FocusItemViewSet


def transition(name: str):  # type: ignore[no-untyped-def]
    method = name.replace("-", "_")
    return path(
        f"teams/<slug:team_slug>/focus-items/<int:pk>/{name}/",
        items.as_view({"post": method}),
        name=f"api-focus-item-{name}",
    )


urlpatterns = [
    path(
        "teams/<slug:team_slug>/focus-items/",
        items.as_view({"get": "list", "post": "create"}),
        name="api-focus-item-list",
    ),
    path(
        "teams/<slug:team_slug>/focus-items/<int:pk>/",
        items.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="api-focus-item-detail",
    ),
    *(
        transition(name)
        for name in (
            "park",
            "activate",
            "finish",
            "drop",
            "swap",
            "outcome",
            "undo",
            "bring-back",
        )
    ),
    path(
        "teams/<slug:team_slug>/focus-history/",
        api.FocusHistoryViewSet.as_view({"get": "list"}),
        name="api-focus-history",
    ),
    path(
        "teams/<slug:team_slug>/focus-history/summary/",
        api.FocusHistoryViewSet.as_view({"get": "summary"}),
        name="api-focus-history-summary",
    ),
]

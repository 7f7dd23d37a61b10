from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from teams import sso
from teams import views as team_views

from . import views

# The split view serves Swagger UI's initialiser as a separate script, so script-src stays
# 'self' here too; Swagger UI sets element styles from its own code, which needs inline
# styles on this one page (styles cannot run code).
api_docs = csp_update({"style-src": [SELF, UNSAFE_INLINE]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema")
)

# A database outage outside a view (e.g. saving the session) is a 503 too, not a 500.
handler500 = "core.outage.server_error"

api_v1 = [
    path("", include("teams.api_urls")),
    path("", include("milestones.api_urls")),
    path("", include("focusboard.api_urls")),
    path("", include("schedule.api_urls")),
    path("", include("tripwires.api_urls")),
]

urlpatterns = [
    path(
        "accounts/login/",
        sso.allow_sign_in_forms(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Password reset by email: Django's views, in the site's own templates (registration/).
    path("accounts/password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # Single sign-on: allauth's provider views under their own prefix (teams/sso_urls.py).
    # Django's login and reset views above keep their addresses and templates.
    path("accounts/sso/", include("teams.sso_urls")),
    path("", team_views.home, name="home"),
    path("me/", team_views.me, name="me"),
    path("me/tokens/", team_views.me_tokens, name="me-tokens"),
    path("me/tokens/<int:token_id>/revoke/", team_views.me_token_revoke, name="me-token-revoke"),
    path("invite/<str:secret>/", team_views.invitation, name="invitation"),
    path("", include("teams.urls")),
    path("", include("milestones.urls")),
    path("", include("focusboard.urls")),
    path("", include("schedule.urls")),
    path("", include("tripwires.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
]

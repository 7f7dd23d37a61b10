"""Single sign-on addresses, under /accounts/sso/: allauth's views for the three providers and
its two shared pages (sign-in cancelled, sign-in failed). allauth's own login, sign-up and
password pages are not mounted: Django's views at /accounts/login/ and
/accounts/password/reset/ stay the one password path (guarded by django-axes)."""

from __future__ import annotations

from allauth.socialaccount import views as socialaccount_views
from allauth.socialaccount.providers.google.urls import urlpatterns as google
from allauth.socialaccount.providers.microsoft.urls import urlpatterns as microsoft
from allauth.socialaccount.providers.openid_connect.urls import urlpatterns as openid_connect
from django.urls import URLPattern, URLResolver, path

from .sso import gate


def _without_one_tap(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    # Google's "login by token" (One Tap) is a second way in that the site does not offer.
    return [p for p in patterns if getattr(p, "name", None) != "google_login_by_token"]


urlpatterns = gate(
    [
        *_without_one_tap(google),
        *microsoft,
        *openid_connect,
        path(
            "login/cancelled/",
            socialaccount_views.login_cancelled,
            name="socialaccount_login_cancelled",
        ),
        path("login/error/", socialaccount_views.login_error, name="socialaccount_login_error"),
    ]
)

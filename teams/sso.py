"""Single sign-on through django-allauth: which providers are on, who may come in, and the
invitation a person signs in from.

The rules, in Focusboard's words:
* it is off until a provider's client is configured (settings: SOCIALACCOUNT_PROVIDERS, read
  from the environment); its addresses answer 404 while their provider is off;
* a person whose account exists is found by an email address the provider VERIFIED; an
  unverified address never reaches an existing account;
* a new account is created only from an open invitation (then the person joins its team with
  its role) or, if the deployment allows it, for a verified address in one of
  FOCUSBOARD_SSO_SIGNUP_DOMAINS; anyone else is told to ask for an invitation;
* the username is made from the address or the name: letters, digits and . _ - only, unique.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.urls import Resolver404, URLPattern, URLResolver, resolve, reverse
from django.utils import timezone

from . import services
from .models import Invitation, InvitationState

USERNAME_MAX = 30
_NOT_IN_USERNAME = re.compile(r"[^a-z0-9._-]+")


@dataclass(frozen=True)
class Provider:
    key: str  # "google", "microsoft", "openid_connect:<id>"
    name: str
    login_url: str


def configured() -> list[Provider]:
    """The providers this deployment offers, in a stable order; empty when SSO is off."""
    found: list[Provider] = []
    conf: dict[str, Any] = settings.SOCIALACCOUNT_PROVIDERS
    if conf.get("google", {}).get("APPS"):
        found.append(Provider("google", "Google", reverse("google_login")))
    if conf.get("microsoft", {}).get("APPS"):
        found.append(Provider("microsoft", "Microsoft", reverse("microsoft_login")))
    for app in conf.get("openid_connect", {}).get("APPS", []):
        provider_id = app["provider_id"]
        found.append(
            Provider(
                f"openid_connect:{provider_id}",
                app.get("name") or provider_id,
                reverse("openid_connect_login", kwargs={"provider_id": provider_id}),
            )
        )
    return found


def enabled() -> bool:
    return bool(configured())


# Where a "Sign in with …" form ends up: the page's CSP (form-action 'self') must allow the
# provider's sign-in page, because browsers apply form-action to the redirect a form causes.
_SIGN_IN_ORIGINS = {
    "google": "https://accounts.google.com",
    "microsoft": "https://login.microsoftonline.com",
}


def sign_in_origins() -> list[str]:
    origins: list[str] = []
    conf: dict[str, Any] = settings.SOCIALACCOUNT_PROVIDERS
    for key, origin in _SIGN_IN_ORIGINS.items():
        if conf.get(key, {}).get("APPS"):
            origins.append(origin)
    for app in conf.get("openid_connect", {}).get("APPS", []):
        # The provider's pages live where its discovery document does.
        parts = urlsplit(app["settings"]["server_url"])
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


def allow_sign_in_forms(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """For pages with "Sign in with …" buttons: their form may lead to the providers."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        origins = sign_in_origins()
        if origins:
            response._csp_update = {"form-action": origins}  # type: ignore[attr-defined]
        return response

    return wrapped


# --- URLs: allauth's provider views, 404 while their provider is off ---------------------------


def _provider_key(url_name: str | None, kwargs: dict[str, Any]) -> str | None:
    """Which provider an allauth address belongs to; None for the shared pages (cancelled,
    error), which exist whenever any provider is on."""
    if not url_name or url_name.startswith("socialaccount_"):
        return None
    if url_name.startswith("openid_connect_"):
        return f"openid_connect:{kwargs.get('provider_id', '')}"
    return url_name.rsplit("_", 1)[0]


def _only_when_configured(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        keys = {provider.key for provider in configured()}
        match = request.resolver_match
        wanted = _provider_key(match.url_name if match else None, kwargs)
        if not keys or (wanted is not None and wanted not in keys):
            raise Http404("Single sign-on with this provider is not switched on.")
        return view(request, *args, **kwargs)

    return allow_sign_in_forms(gated)


def gate(patterns: Iterable[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """allauth's URL patterns with every view wrapped by the on/off check above."""
    gated: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            gate(pattern.url_patterns)  # wraps in place: the resolver holds the same list
        else:
            pattern.callback = _only_when_configured(pattern.callback)
        gated.append(pattern)
    return gated


# --- Invitations ---------------------------------------------------------------------------


def invitation_in(next_url: str | None) -> tuple[Invitation, str] | None:
    """The open invitation a sign-in started from: its page's address is the `next` the
    "Sign in with …" button sent along."""
    if not next_url:
        return None
    try:
        match = resolve(urlsplit(next_url).path)
    except Resolver404:
        return None
    if match.url_name != "invitation":
        return None
    found = services.invitation_find(match.kwargs.get("secret", ""))
    if found is None or found.state(timezone.now()) != InvitationState.PENDING:
        return None
    return found, match.kwargs["secret"]


def _join_from_invitation(request: HttpRequest, sociallogin: SocialLogin) -> None:
    """The person signed in from an invitation's page: they join its team, and land on the
    team's board instead of the invitation page."""
    opened = invitation_in(sociallogin.state.get("next"))
    user = sociallogin.user
    if opened is None or user is None or user.pk is None or not user.is_active:
        return
    try:
        membership = services.invitation_accept(invitation=opened[0], user=user)
    except services.InvitationGone:
        return  # used up meanwhile: the invitation page (the `next`) says so
    messages.success(
        request,
        f"Welcome to {membership.team.name}. Your role: {membership.get_role_display().lower()}.",
    )
    sociallogin.state["next"] = reverse(
        "focusboard:board", kwargs={"team_slug": opened[0].team.slug}
    )


# --- Usernames -----------------------------------------------------------------------------


def username_base(*candidates: str | None) -> str:
    """The first candidate that makes a sane username: ASCII letters, digits and . _ -,
    lower case, at most USERNAME_MAX characters; "user" if none does."""
    for text in candidates:
        if not text:
            continue
        text = text.split("@", 1)[0]
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        cleaned = _NOT_IN_USERNAME.sub("-", ascii_text.lower()).strip("._-")
        cleaned = re.sub(r"[._-]{2,}", "-", cleaned)[:USERNAME_MAX].strip("._-")
        if cleaned:
            return cleaned
    return "user"


def unique_username(*candidates: str | None) -> str:
    base = username_base(*candidates)
    taken = set(
        get_user_model()
        .objects.filter(username__istartswith=base)
        .values_list("username", flat=True)
    )
    taken = {name.lower() for name in taken}
    if base not in taken:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        name = f"{base[: USERNAME_MAX - len(suffix)]}{suffix}"
        if name not in taken:
            return name
        number += 1


# --- Adapters ------------------------------------------------------------------------------


class AccountAdapter(DefaultAccountAdapter):
    """allauth's own sign-up and password pages are not mounted; accounts come from
    invitations (teams.views) or from single sign-on (below)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def populate_username(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        user.username = unique_username(  # type: ignore[attr-defined]
            user.email,  # type: ignore[attr-defined]
            f"{user.first_name} {user.last_name}",  # type: ignore[attr-defined]
            user.username,  # type: ignore[attr-defined]
        )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        # Never allauth's second sign-up form: a new account is made at once or refused.
        return True

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        if invitation_in(sociallogin.state.get("next")) is not None:
            return True
        domains = settings.FOCUSBOARD_SSO_SIGNUP_DOMAINS
        if domains and any(
            address.verified and address.email.rsplit("@", 1)[-1].lower() in domains
            for address in sociallogin.email_addresses
        ):
            return True
        raise ImmediateHttpResponse(
            render(
                request,
                "teams/sso_closed.html",
                {"provider": sociallogin.provider.name},
                status=403,
            )
        )

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        # A person whose account exists (by an earlier sign-in or a verified address).
        if sociallogin.user is not None and sociallogin.user.pk is not None:
            _join_from_invitation(request, sociallogin)

    def save_user(
        self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None
    ) -> AbstractBaseUser:
        """A new account: a unique username, no password, and the invitation it came from."""
        try:
            with transaction.atomic():
                user = super().save_user(request, sociallogin, form)
        except IntegrityError:  # the same username taken at the same instant: once more
            sociallogin.user.username = ""  # type: ignore[union-attr]
            sociallogin.user.pk = None  # type: ignore[union-attr]
            with transaction.atomic():
                user = super().save_user(request, sociallogin, form)
        _join_from_invitation(request, sociallogin)
        return user

"""A fake identity provider for single sign-on tests, at the level allauth's own provider
tests mock it (its `mocked_response`, not shipped in the wheel): every request allauth makes
to the provider (discovery, token, user info) gets a canned `requests.Response`; everything
above that, from the button to the session, is the real thing."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from django.test import Client
from requests.structures import CaseInsensitiveDict

ISSUER = "https://id.example.com"
DISCOVERY = f"{ISSUER}/.well-known/openid-configuration"

OIDC = {
    "openid_connect": {
        "APPS": [
            {
                "provider_id": "acme",
                "name": "Acme ID",
                "client_id": "focusboard",
                "secret": "s3cret",
                "settings": {"server_url": DISCOVERY},
            }
        ]
    }
}
GOOGLE = {"google": {"APPS": [{"client_id": "g-client", "secret": "g-secret"}]}}


def _response(payload: dict[str, Any], status: int = 200) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(payload).encode()
    response.headers = CaseInsensitiveDict({"content-type": "application/json"})
    return response


@dataclass
class FakeProvider:
    """Answers allauth's requests; `userinfo` is who the provider says signed in."""

    userinfo: dict[str, Any]
    calls: list[str] = field(default_factory=list)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        self.calls.append(f"{method} {url}")
        if url == DISCOVERY:
            return _response(
                {
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/authorize",
                    "token_endpoint": f"{ISSUER}/token",
                    "userinfo_endpoint": f"{ISSUER}/userinfo",
                    "token_endpoint_auth_methods_supported": ["client_secret_post"],
                }
            )
        if url.endswith("/token"):
            return _response({"access_token": "at-123", "token_type": "Bearer"})
        if url.endswith("/userinfo"):
            return _response(self.userinfo)
        return _response({"error": "unexpected"}, status=404)

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", url, **kwargs)

    def __enter__(self) -> FakeProvider:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def sign_in(
    client: Client,
    monkeypatch: Any,
    userinfo: dict[str, Any],
    *,
    login_url: str = "/accounts/sso/oidc/acme/login/",
    callback_url: str = "/accounts/sso/oidc/acme/login/callback/",
    next_url: str = "",
) -> Any:
    """Press "Sign in with …", come back from the provider with a code; the final response."""
    provider = FakeProvider(userinfo)
    monkeypatch.setattr(
        "teams.sso.SocialAccountAdapter.get_requests_session", lambda self: provider
    )
    data = {"process": "login"}
    if next_url:
        data["next"] = next_url
    started = client.post(login_url, data)
    assert started.status_code == 302, started.content[:500]
    state = parse_qs(urlsplit(started["Location"]).query)["state"][0]
    return client.get(callback_url, {"code": "code-1", "state": state})

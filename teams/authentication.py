"""`Authorization: Token <key>` for the API and focus.txt: a person's ApiToken, looked up by
its hash. A revoked, expired or unknown key is a 401, the same for all three except for the
sentence (a key that was valid once is no secret worth hiding)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .models import ApiToken


class ApiTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        token: ApiToken | None = ApiToken.objects.select_related("user").for_secret(key)
        if token is None:
            raise AuthenticationFailed("Invalid token.")
        now = timezone.now()
        if token.is_expired(now):
            raise AuthenticationFailed("This token has expired; create a new one at /me/tokens/.")
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        token.mark_used(now=now)
        return token.user, token

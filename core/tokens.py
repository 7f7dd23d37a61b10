"""The one token module: wall screens, calendar feeds, pipelines' ingest tokens and invitations
all use it.

A token is at least 128 random bits (we use 256), shown to its owner once, and stored only as
its SHA-256: a database leak gives nobody a working address. Looking a secret up means looking
its hash up, so the secret itself is never compared. A token can be revoked, and remembers when
it was last used (written at most once a minute, so a polling screen does not write on every
request).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any, Self, cast

from django.db import models
from django.utils import timezone

TOKEN_BYTES = 32
# Longer input is not a secret we issued; refuse it before hashing anything.
MAX_SECRET_LENGTH = 200
LAST_USED_RESOLUTION = timedelta(minutes=1)


def new_secret() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenQuerySet(models.QuerySet[Any]):
    def live(self) -> Self:
        return self.filter(revoked_at__isnull=True)

    def for_secret(self, secret: str | None) -> Any:
        """The live token for a secret, or None."""
        if not secret or len(secret) > MAX_SECRET_LENGTH:
            return None
        digest = hash_secret(secret)
        token = cast("HashedToken | None", self.live().filter(token_hash=digest).first())
        # The database compared hashes; compare once more in constant time, for good measure.
        if token is None or not hmac.compare_digest(token.token_hash, digest):
            return None
        return token


class HashedToken(models.Model):
    """Abstract base of every token model. Subclasses add what the token grants (a team's wall,
    a feed, one tripwire) and who made it."""

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = TokenQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def issue(cls, **fields: Any) -> tuple[Self, str]:
        """Create a token; returns it with its secret, which is shown once and never again."""
        secret = new_secret()
        token = cls(token_hash=hash_secret(secret), **fields)
        token.full_clean()
        token.save()
        return token, secret

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None

    def revoke(self, *, now: datetime | None = None) -> None:
        if self.revoked_at is None:
            self.revoked_at = now or timezone.now()
            type(self).objects.filter(pk=self.pk, revoked_at__isnull=True).update(
                revoked_at=self.revoked_at
            )

    def rotate(self) -> str:
        """Give the token a new secret (the old one stops working at once); returns it."""
        secret = new_secret()
        self.token_hash = hash_secret(secret)
        type(self).objects.filter(pk=self.pk).update(token_hash=self.token_hash)
        return secret

    def mark_used(self, *, now: datetime | None = None) -> None:
        now = now or timezone.now()
        if self.last_used_at is None or now - self.last_used_at >= LAST_USED_RESOLUTION:
            self.last_used_at = now
            type(self).objects.filter(pk=self.pk).update(last_used_at=now)

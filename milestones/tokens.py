"""Secrets for pipeline tokens: 256 random bits, stored only as their SHA-256.

Stand-in until the shared token module (core/tokens.py) reaches this branch; it hashes the
same way, so switching changes no stored value."""

from __future__ import annotations

import hashlib
import secrets


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()

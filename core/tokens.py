"""Secret tokens that prove ownership of a hold or an order; only their hashes are stored."""

import hashlib
import hmac
import secrets

from django.conf import settings


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str | None, token_hash: str) -> bool:
    if not token:
        return False
    return hmac.compare_digest(hash_token(token), token_hash)


def token_matches_plain(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def derived_token(secret: str, purpose: str) -> str:
    """A token that only the holder of `secret` can compute again (for idempotent replays)."""
    mac = hmac.new(settings.SECRET_KEY.encode(), f"{purpose}:{secret}".encode(), hashlib.sha256)
    return mac.hexdigest()

"""API tokens: scopes, secrets and their hashes, the bearer header, cursors. Pure: no Flask, no db."""
from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

#: What a token may read; ``webhooks`` reads the webhook subscriptions and their delivery log.
SCOPES = ("roster:read", "certificates:read", "attempts:read", "roleplay:read", "webhooks")
SECRET_PREFIX = "hla_"  # recognisable in logs and secret scanners
SHOWN_PREFIX_LENGTH = len(SECRET_PREFIX) + 6
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class TokenRefused(Exception):
    """The request's token cannot be used: ``status`` is 401 (who are you?) or 403 (not allowed)."""

    def __init__(self, status: int, error: str, message: str):
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


class BadParameter(ValueError):
    """A query parameter that cannot be used; ``field`` names it."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def new_secret() -> str:
    """256 random bits: a hash of it needs no salt or slow hashing to resist guessing."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def bearer_secret(authorization: str | None) -> str:
    """The secret of an ``Authorization: Bearer …`` header."""
    scheme, _space, secret = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise TokenRefused(401, "missing_token", "send the token as 'Authorization: Bearer <token>'")
    return secret.strip()


@dataclass(frozen=True)
class TokenState:
    scopes: tuple[str, ...]
    expires_at: datetime
    revoked_at: datetime | None


def check_token(token: TokenState | None, scope: str, now: datetime) -> None:
    """Raise TokenRefused unless the token exists, is current and carries ``scope``."""
    if token is None:
        raise TokenRefused(401, "invalid_token", "unknown token")
    if token.revoked_at is not None:
        raise TokenRefused(401, "invalid_token", "this token was revoked")
    if now >= token.expires_at:
        raise TokenRefused(401, "invalid_token", "this token has expired")
    if scope not in token.scopes:
        raise TokenRefused(403, "insufficient_scope", f"this token lacks the scope {scope!r}")


# --- cursor pagination over an increasing integer key ------------------------------------------

def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The key after which the next page starts (0 without a cursor)."""
    if not cursor:
        return 0
    try:
        version, _colon, last_id = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().partition(":")
        value = int(last_id)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadParameter("cursor", "not a cursor this API returned") from None
    if version != "v1" or not 0 <= value < 2**31:
        raise BadParameter("cursor", "not a cursor this API returned")
    return value


def page_limit(text: str | None) -> int:
    if text is None or text == "":
        return DEFAULT_LIMIT
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise BadParameter("limit", f"must be a whole number from 1 to {MAX_LIMIT}")
    return int(text)


def since(text: str | None) -> datetime | None:
    """``updated_since`` as naive UTC (the database's convention); ISO 8601, with or without offset."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadParameter("updated_since", "must be an ISO 8601 date-time such as 2026-03-01T00:00:00Z") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def choice(field: str, text: str | None, allowed) -> str:
    if not text:
        return ""
    if text not in allowed:
        raise BadParameter(field, f"must be one of {', '.join(allowed)}")
    return text


def boolean(field: str, text: str | None) -> bool | None:
    if not text:
        return None
    if text not in ("true", "false"):
        raise BadParameter(field, "must be true or false")
    return text == "true"


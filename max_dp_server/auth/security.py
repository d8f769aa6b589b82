"""Password hashing (Argon2id) and tokens (JWT access, opaque refresh).

>>> token = create_access_token("u1", "k" * 32, minutes=5)
>>> decode_access_token(token, "k" * 32)
'u1'
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import secrets
from typing import Any

import jwt
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from max_dp_server.config import Settings
from max_dp_server.errors import UnauthorizedError

__all__ = [
    "ALGORITHM",
    "Passwords",
    "create_access_token",
    "decode_access_token",
    "hash_token",
    "new_refresh_token",
]

# Pinned: the verifier never takes the algorithm from the token header ("none" included).
ALGORITHM = "HS256"
ACCESS_TYPE = "access"


class Passwords:
    """Argon2id hashing, run in a thread: each hash costs tens of milliseconds of CPU."""

    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            type=Type.ID,
        )
        # Verified against when the email is unknown, so both answers take as long.
        self._dummy = self._hasher.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        return await asyncio.to_thread(self._verify, stored_hash or self._dummy, password)

    def _verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)


def create_access_token(
    subject: str, secret: str, *, minutes: int, now: dt.datetime | None = None
) -> str:
    now = now or dt.datetime.now(dt.UTC)
    claims: dict[str, Any] = {
        "sub": subject,
        "iat": now,
        "exp": now + dt.timedelta(minutes=minutes),
        "type": ACCESS_TYPE,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_access_token(token: str, secret: str) -> str:
    """The subject of a valid access token; UnauthorizedError saying what to do otherwise."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "iat", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise UnauthorizedError(
            "the access token has expired; get a new one from POST /api/v1/auth/refresh",
            code="token_expired",
        ) from None
    except jwt.MissingRequiredClaimError as exc:
        raise UnauthorizedError(
            f"the access token lacks the {exc.claim!r} claim; log in again", code="invalid_token"
        ) from None
    except jwt.InvalidTokenError:
        raise UnauthorizedError(
            "the access token is not valid (bad signature or format); log in again",
            code="invalid_token",
        ) from None
    if claims.get("type") != ACCESS_TYPE:
        raise UnauthorizedError("this is not an access token; log in again", code="invalid_token")
    return str(claims["sub"])


def new_refresh_token() -> tuple[str, str]:
    """A fresh opaque refresh token and the SHA-256 hex digest that is stored instead."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    # A plain hash is enough: the token is 256 random bits, not a guessable password.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()

"""API key text: ``mdp_<prefix>_<secret>``, stored only as its SHA-256 hex digest.

>>> key, prefix, digest = new_key()
>>> key.startswith(f"mdp_{prefix}_") and len(prefix) == PREFIX_LENGTH
True
>>> hash_key(key) == digest and looks_like_key(key) and not looks_like_key("eyJhbGciOi")
True
"""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["KEY_MARK", "PREFIX_LENGTH", "hash_key", "looks_like_key", "new_key"]

KEY_MARK = "mdp_"
PREFIX_LENGTH = 12


def new_key() -> tuple[str, str, str]:
    """A fresh key, its public prefix, and the digest that is stored instead of it."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)  # hex: never contains the "_" separator
    key = f"{KEY_MARK}{prefix}_{secrets.token_urlsafe(32)}"
    return key, prefix, hash_key(key)


def hash_key(key: str) -> str:
    # A plain, fast hash is right here: the key holds 256 random bits, so there is nothing to
    # guess, and it is checked on every call of an endpoint.
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def looks_like_key(text: str) -> bool:
    return text.startswith(KEY_MARK)

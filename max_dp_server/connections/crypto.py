"""Encryption at rest of connection secrets: Fernet with a key derived from the server's key.

The Fernet key is HKDF-SHA256 of ``MAXDP_SECRET_KEY`` with a fixed context label, so the
token-signing key itself is never used to encrypt, and a different purpose would derive a
different key. Rotating ``MAXDP_SECRET_KEY`` therefore needs the secrets re-encrypted
(``python -m max_dp_server.connections.rotate``, see docs/connections.md).

>>> box = SecretBox("x" * 32)
>>> token = box.encrypt({"password": "s3cret"})
>>> "s3cret" in token, box.decrypt(token)
(False, {'password': 's3cret'})
>>> SecretBox("y" * 32).decrypt(token)
Traceback (most recent call last):
...
max_dp_server.connections.crypto.SecretsUnreadable: the stored connection secrets cannot be ...
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from flows.errors import MaxDPError

__all__ = ["CONTEXT_LABEL", "SecretBox", "SecretsUnreadable"]

# Changing this label makes every stored secret unreadable: it is part of the storage format.
CONTEXT_LABEL = b"maxdp/connection-secrets/v1"


class SecretsUnreadable(MaxDPError):
    status_code = 500
    code = "secrets_unreadable"


def derive_key(secret_key: str) -> bytes:
    """The urlsafe-base64 Fernet key for ``secret_key``."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=CONTEXT_LABEL)
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode("utf-8")))


class SecretBox:
    """Encrypts with ``secret_key``; decrypts with it or any of ``previous_keys``."""

    def __init__(self, secret_key: str, previous_keys: Sequence[str] = ()) -> None:
        self._current = Fernet(derive_key(secret_key))
        self._all = MultiFernet([self._current, *(Fernet(derive_key(k)) for k in previous_keys)])

    def encrypt(self, secrets: Mapping[str, Any]) -> str:
        return self._current.encrypt(json.dumps(dict(secrets)).encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> dict[str, Any]:
        try:
            plain = self._all.decrypt(token.encode("ascii"))
        except (InvalidToken, ValueError):
            raise SecretsUnreadable(
                "the stored connection secrets cannot be decrypted with this server's "
                "MAXDP_SECRET_KEY (was the key changed without re-encrypting? see "
                "docs/connections.md, 'Rotating the secret key')"
            ) from None
        value = json.loads(plain)
        return value if isinstance(value, dict) else {}

    def rotate(self, token: str) -> str:
        """``token`` re-encrypted with the current key (readable with any known key)."""
        try:
            return self._all.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, ValueError):
            raise SecretsUnreadable(
                "a stored connection secret is readable with none of the given keys"
            ) from None

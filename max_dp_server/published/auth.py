"""Who is calling an endpoint, checked against the in-memory directory (no database query,
except a JWT caller's membership once per refresh interval).

- ``public``: anyone; the caller is its address.
- ``api_key``: ``X-API-Key: mdp_…`` or ``Authorization: Bearer mdp_…``; the key must be of the
  endpoint's workspace, allow the endpoint (when it names endpoints) and have the ``execute``
  scope. Missing, unknown or revoked: 401; another workspace or endpoint, or no scope: 403.
- ``jwt``: ``Authorization: Bearer <access token>`` of an active member of the workspace.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.requests import Request

from max_dp_server.api_keys.keys import hash_key, looks_like_key
from max_dp_server.auth.security import decode_access_token
from max_dp_server.errors import ForbiddenError, UnauthorizedError
from max_dp_server.published.directory import Directory, EndpointInfo

__all__ = ["EXECUTE_SCOPE", "Caller", "authenticate"]

EXECUTE_SCOPE = "execute"


@dataclass(frozen=True, slots=True)
class Caller:
    """``identity`` is what the rate limit counts by: the key, else the user, else the address."""

    identity: str
    user_id: uuid.UUID | None = None
    key_id: uuid.UUID | None = None


def _bearer(headers: Headers) -> str | None:
    value = headers.get("authorization")
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def authenticate(
    request: Request, info: EndpointInfo, directory: Directory, secret_key: str
) -> Caller:
    if info.auth == "public":
        return Caller(f"ip:{client_address(request)}")
    headers = request.headers
    if info.auth == "api_key":
        return _api_key(headers.get("x-api-key") or _bearer(headers), info, directory)
    return await _jwt(_bearer(headers), info, directory, secret_key)


def _api_key(key: str | None, info: EndpointInfo, directory: Directory) -> Caller:
    if not key:
        raise UnauthorizedError(
            f"endpoint {info.endpoint!r} needs an API key: send 'X-API-Key: mdp_…' or "
            "'Authorization: Bearer mdp_…'",
            code="missing_api_key",
        )
    found = directory.keys.get(hash_key(key))
    if found is None:
        raise UnauthorizedError("the API key is not valid", code="invalid_api_key")
    if found.revoked:
        raise UnauthorizedError("this API key has been revoked", code="revoked_api_key")
    if found.workspace_id != info.workspace_id:
        raise ForbiddenError(
            f"this API key belongs to another workspace than endpoint {info.endpoint!r}",
            code="key_wrong_workspace",
        )
    if found.endpoints is not None and info.endpoint not in found.endpoints:
        raise ForbiddenError(
            f"this API key does not allow endpoint {info.endpoint!r} "
            f"(it allows: {', '.join(sorted(found.endpoints)) or 'none'})",
            code="key_wrong_endpoint",
        )
    if EXECUTE_SCOPE not in found.scopes:
        raise ForbiddenError(
            f"this API key lacks the {EXECUTE_SCOPE!r} scope", code="key_missing_scope"
        )
    return Caller(f"key:{found.id}", key_id=found.id)


async def _jwt(
    token: str | None, info: EndpointInfo, directory: Directory, secret_key: str
) -> Caller:
    if not token:
        raise UnauthorizedError(
            f"endpoint {info.endpoint!r} needs an access token: send 'Authorization: Bearer "
            "<token>' (from POST /api/v1/auth/login)"
        )
    if looks_like_key(token):
        raise UnauthorizedError(
            f"endpoint {info.endpoint!r} takes an access token, not an API key",
            code="invalid_token",
        )
    subject = decode_access_token(token, secret_key)
    try:
        user_id = uuid.UUID(subject)
    except ValueError:
        raise UnauthorizedError(
            "the access token names no user; log in again", code="invalid_token"
        ) from None
    membership = await directory.membership(user_id, info.workspace_id)
    if membership == "inactive":
        raise UnauthorizedError(
            "this account no longer exists or is disabled", code="inactive_user"
        )
    if membership != "member":
        raise ForbiddenError(
            f"endpoint {info.endpoint!r} is for members of its workspace; you are not one",
            code="not_a_member",
        )
    return Caller(f"user:{user_id}", user_id=user_id)

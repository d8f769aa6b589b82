"""Auth API schemas."""

from __future__ import annotations

from pydantic import Field

from max_dp_server.schemas import RequestModel, ResponseModel


class LoginRequest(RequestModel):
    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=256)


class RefreshRequest(RequestModel):
    refresh_token: str = Field(min_length=1, max_length=512)


class TokenPair(ResponseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"  # noqa: S105  (the OAuth2 token type, not a secret)
    expires_in: int = Field(description="Seconds until the access token expires.")

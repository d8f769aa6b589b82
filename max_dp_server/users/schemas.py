"""User API schemas."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Annotated

from pydantic import AfterValidator, Field

from max_dp_server.schemas import RequestModel, ResponseModel

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def normalize_email(value: str) -> str:
    """Trimmed and lower-cased, so one address is one account.

    >>> normalize_email("  Ada@Example.COM ")
    'ada@example.com'
    """
    value = value.strip().lower()
    if not _EMAIL.match(value):
        raise ValueError("not an email address (expected name@domain)")
    return value


Email = Annotated[str, Field(min_length=3, max_length=320), AfterValidator(normalize_email)]
# The upper bound keeps a megabyte "password" from tying up the hasher.
Password = Annotated[str, Field(min_length=8, max_length=256)]


class UserRead(ResponseModel):
    id: uuid.UUID
    email: str
    full_name: str
    is_active: bool
    is_admin: bool
    created_at: dt.datetime
    last_login_at: dt.datetime | None


class UserCreate(RequestModel):
    email: Email
    password: Password
    full_name: str = Field(default="", max_length=200)
    is_admin: bool = False


class UserUpdate(RequestModel):
    """Admin changes to an account; omitted fields stay as they are."""

    full_name: str | None = Field(default=None, max_length=200)
    is_admin: bool | None = None
    is_active: bool | None = None
    password: Password | None = None


class ProfileUpdate(RequestModel):
    full_name: str = Field(max_length=200)


class PasswordChange(RequestModel):
    current_password: str = Field(max_length=256)
    new_password: Password

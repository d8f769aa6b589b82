"""From a stored row to a ``ConnectionSpec``: secrets decrypted, sqlite files confined.

A sqlite connection on the server names a file inside the data directory (relative paths are
resolved there), never the server's own database or key file: a workspace editor must not be
able to read the server's tables or any other file through a connection.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from flows.errors import MaxDPError
from max_dp_server.config import SECRET_KEY_FILE, Settings
from max_dp_server.connections.crypto import SecretBox
from max_dp_server.models import StoredConnection
from nodes.connections import ConnectionSpec

__all__ = ["SECRET_FIELDS", "InvalidConnection", "build_spec", "scrub", "spec_from_row"]

SECRET_FIELDS = ("url", "password", "headers")
# Suffixes SQLite adds next to a database file.
_SQLITE_SIDE_FILES = ("", "-wal", "-shm", "-journal")


class InvalidConnection(MaxDPError):
    status_code = 422
    code = "invalid_connection"


def _sqlite_path(database: str, settings: Settings, name: str) -> str:
    if database == ":memory:":
        return database
    data_dir = settings.data_dir.resolve()
    path = (data_dir / Path(database).expanduser()).resolve()
    if not path.is_relative_to(data_dir):
        raise InvalidConnection(
            f"connection {name!r}: database: a sqlite file must be inside the server's data "
            "directory (give a path relative to it)"
        )
    protected = {data_dir / SECRET_KEY_FILE}
    if settings.database_kind == "sqlite":
        own = Path(settings.database_url.partition(":///")[2]).resolve()
        protected |= {own.with_name(own.name + suffix) for suffix in _SQLITE_SIDE_FILES}
    if path in protected:
        raise InvalidConnection(
            f"connection {name!r}: database: that file belongs to the MAX DP server itself"
        )
    return str(path)


def build_spec(
    values: Mapping[str, Any], secrets: Mapping[str, Any], settings: Settings
) -> ConnectionSpec:
    """A validated spec; an ``InvalidConnection`` (422) naming the field, never a value."""
    name = str(values.get("name"))
    body = {k: v for k, v in values.items() if v is not None and k != "description"}
    body.update({k: v for k, v in secrets.items() if v})
    if body.get("kind") == "sqlite":
        if "url" in body:
            raise InvalidConnection(
                f"connection {name!r}: url: give a sqlite connection as database (a file path "
                "inside the server's data directory), not as a URL"
            )
        if body.get("database"):
            body["database"] = _sqlite_path(str(body["database"]), settings, name)
    try:
        return ConnectionSpec.model_validate(body)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            # Never the input: it may be a password or a DSN.
            message = err["msg"].removeprefix("Value error, ")
            problems.append(f"{loc + ': ' if loc else ''}{message}")
        raise InvalidConnection("; ".join(problems), details={"problems": problems}) from None


def spec_values(row: StoredConnection) -> dict[str, Any]:
    return {
        "name": row.name,
        "kind": row.kind,
        "host": row.host,
        "port": row.port,
        "user": row.username,
        "database": row.database,
        "options": dict(row.options or {}),
        "read_only": row.read_only,
        "statement_timeout_s": row.statement_timeout_s,
    }


def row_secrets(row: StoredConnection, box: SecretBox) -> dict[str, Any]:
    return box.decrypt(row.secrets) if row.secrets else {}


def spec_from_row(row: StoredConnection, box: SecretBox, settings: Settings) -> ConnectionSpec:
    return build_spec(spec_values(row), row_secrets(row, box), settings)


def secret_values(secrets: Mapping[str, Any]) -> Iterable[str]:
    """Every secret string, and the password inside a DSN, for ``scrub``."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    for key in ("url", "password"):
        value = secrets.get(key)
        if value:
            yield str(value)
    headers = secrets.get("headers") or {}
    yield from (str(v) for v in headers.values() if v)
    url = secrets.get("url")
    if url:
        try:
            password = make_url(str(url)).password
        except (ArgumentError, ValueError):  # malformed: the whole text is scrubbed anyway
            password = None
        if password:
            yield str(password)


def scrub(message: str, secrets: Mapping[str, Any]) -> str:
    """``message`` with every secret replaced by ``***`` (defence in depth: driver messages are
    not supposed to carry them)."""
    for value in sorted(set(secret_values(secrets)), key=len, reverse=True):
        if len(value) >= 3:
            message = message.replace(value, "***")
    return message

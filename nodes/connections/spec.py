"""``ConnectionSpec``: one named connection, with its secrets kept out of reprs and logs.

A SQL connection is given either as a ``url`` (a DSN, held as a secret because DSNs carry
passwords) or as ``host``/``port``/``user``/``password``/``database`` fields. An ``http``
connection is a base ``url`` plus ``headers`` (API tokens), both secret.

>>> spec = ConnectionSpec(name="crm", kind="mysql", host="db", user="reader", password="pw",
...                       database="crm", read_only=True)
>>> spec
ConnectionSpec(name='crm', kind='mysql', read_only=True)
>>> spec.sqlalchemy_url().render_as_string(hide_password=True)
'mysql+aiomysql://reader:***@db/crm?charset=utf8mb4'
>>> ConnectionSpec(name="x", kind="postgresql")
Traceback (most recent call last):
...
pydantic_core._pydantic_core.ValidationError: 1 validation error for ConnectionSpec
  Value error, connection 'x': give either url, or host (with user, password, database) ...
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from sqlalchemy.engine import URL

__all__ = ["SQL_KINDS", "ConnectionKind", "ConnectionSpec"]

ConnectionKind = Literal["postgresql", "mysql", "supabase", "sqlite", "http"]
SQL_KINDS: frozenset[str] = frozenset({"postgresql", "mysql", "supabase", "sqlite"})

_DRIVERS = {
    "postgresql": "postgresql+asyncpg",
    "supabase": "postgresql+asyncpg",
    "mysql": "mysql+aiomysql",
    "sqlite": "sqlite+aiosqlite",
}
# URL schemes accepted for each kind; the driver part is replaced by ours.
_SCHEMES = {
    "postgresql": {"postgresql", "postgres"},
    "supabase": {"postgresql", "postgres"},
    "mysql": {"mysql", "mariadb"},
    "sqlite": {"sqlite"},
    "http": {"http", "https"},
}
# Engine options a connection may set, with their types; anything else is a typo.
_OPTIONS: dict[str, type | tuple[type, ...]] = {
    "pool_size": int,
    "max_overflow": int,
    "pool_recycle_s": (int, float),
    "connect_timeout_s": (int, float),
    "ssl": (bool, str),
    "pooler": bool,
    "charset": str,
}
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}$")


class ConnectionSpec(BaseModel):
    """A named connection as the server stores it or the CLI reads it from YAML."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: ConnectionKind
    url: SecretStr | None = Field(
        default=None, description="A DSN; secret (it may hold a password)."
    )
    host: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    user: str | None = None
    password: SecretStr | None = None
    database: str | None = Field(default=None, description="Database name (sqlite: file path).")
    options: dict[str, Any] = Field(default_factory=dict)
    headers: dict[str, SecretStr] = Field(
        default_factory=dict, description="http only: headers sent with every request (tokens)."
    )
    read_only: bool = False
    statement_timeout_s: float = Field(default=30, gt=0, le=86_400)

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(
                f"connection name {value!r} must be 1-128 letters, digits, '_', '-' or '.'"
            )
        return value

    @model_validator(mode="after")
    def _check_shape(self) -> ConnectionSpec:
        where = f"connection {self.name!r}"
        for key, value in self.options.items():
            if key not in _OPTIONS:
                allowed = ", ".join(sorted(_OPTIONS))
                raise ValueError(f"{where}: unknown option {key!r} (allowed: {allowed})")
            if not isinstance(value, _OPTIONS[key]) or (
                isinstance(value, bool) and _OPTIONS[key] in (int, (int, float))
            ):
                raise ValueError(f"{where}: option {key!r} has the wrong type")
        if self.kind == "http":
            if self.url is None:
                raise ValueError(f"{where}: an http connection needs url (the base URL)")
        elif self.headers:
            raise ValueError(f"{where}: headers are for http connections only")
        elif self.url is None and not (self.host or (self.kind == "sqlite" and self.database)):
            need = "database (a file path)" if self.kind == "sqlite" else "host"
            raise ValueError(
                f"{where}: give either url, or {need} (with user, password, database) "
                "for this connection"
            )
        if self.url is not None:
            self._parsed_url()  # fail early on a malformed DSN
        return self

    def __repr_args__(self) -> list[tuple[str, Any]]:
        # Only what identifies the connection: hosts and users are not secrets but add noise.
        return [("name", self.name), ("kind", self.kind), ("read_only", self.read_only)]

    @property
    def is_sql(self) -> bool:
        return self.kind in SQL_KINDS

    @property
    def dialect_name(self) -> str:
        """``postgresql``, ``mysql`` or ``sqlite``: the SQL rules this connection speaks."""
        return "postgresql" if self.kind == "supabase" else self.kind

    @property
    def uses_pooler(self) -> bool:
        """A transaction-mode pooler (Supabase's on port 6543): no session state, no statement
        cache. Default on for supabase connections; ``options.pooler`` overrides."""
        return bool(self.options.get("pooler", self.kind == "supabase"))

    # -- URLs -------------------------------------------------------------------------------
    def _parsed_url(self) -> URL:
        assert self.url is not None
        text = self.url.get_secret_value().strip()
        try:
            url = sa.engine.make_url(text)
        except (sa.exc.ArgumentError, ValueError):
            raise ValueError(f"connection {self.name!r}: url is not a valid URL") from None
        scheme = url.drivername.split("+", 1)[0]
        if scheme not in _SCHEMES[self.kind]:
            allowed = " or ".join(f"{s}://" for s in sorted(_SCHEMES[self.kind]))
            raise ValueError(
                f"connection {self.name!r}: a {self.kind} url starts with {allowed}, "
                f"not {scheme}://"
            )
        return url

    def base_url(self) -> str:
        """The URL of an http connection."""
        if self.kind != "http" or self.url is None:
            raise ValueError(f"connection {self.name!r} is not an http connection")
        return self.url.get_secret_value().strip()

    def sqlalchemy_url(self) -> URL:
        """The async SQLAlchemy URL (asyncpg, aiomysql or aiosqlite)."""
        if not self.is_sql:
            raise ValueError(f"connection {self.name!r} is not a SQL connection")
        driver = _DRIVERS[self.kind]
        if self.url is not None:
            url = self._parsed_url().set(drivername=driver)
            if self.password is not None:
                # A DSN without its password, the password from a secret of its own.
                url = url.set(password=self.password.get_secret_value())
        else:
            url = URL.create(
                driver,
                username=self.user,
                password=self.password.get_secret_value() if self.password else None,
                host=self.host if self.kind != "sqlite" else None,
                port=self.port,
                database=self.database,
            )
        query = dict(url.query)
        if self.kind == "mysql":
            query.setdefault("charset", self.options.get("charset", "utf8mb4"))
        # libpq's sslmode is not an asyncpg argument: it moves to connect_args (see below).
        query.pop("sslmode", None)
        if self.dialect_name == "postgresql" and self.uses_pooler:
            query["prepared_statement_cache_size"] = "0"
        return url.set(query=query)

    def engine_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``create_async_engine`` beyond the URL."""
        opts = self.options
        kwargs: dict[str, Any] = {"pool_pre_ping": True}
        connect_args: dict[str, Any] = {}
        if self.kind != "sqlite":
            kwargs["pool_size"] = opts.get("pool_size", 5)
            kwargs["max_overflow"] = opts.get("max_overflow", 5)
            kwargs["pool_recycle"] = opts.get("pool_recycle_s", 1800)
        timeout = float(opts.get("connect_timeout_s", 10))
        if self.dialect_name == "postgresql":
            connect_args["timeout"] = timeout
            ssl = opts.get("ssl")
            if ssl is None and self.url is not None:
                ssl = self._parsed_url().query.get("sslmode")
            if ssl is not None:
                connect_args["ssl"] = ssl
            if self.uses_pooler:
                # A transaction-mode pooler hands each transaction to any server connection:
                # server-side prepared statements must have unique names and not be cached.
                connect_args["statement_cache_size"] = 0
                connect_args["prepared_statement_name_func"] = _statement_name
        elif self.kind == "mysql":
            connect_args["connect_timeout"] = timeout
            if opts.get("ssl"):
                import ssl as _ssl

                connect_args["ssl"] = _ssl.create_default_context()
        if connect_args:
            kwargs["connect_args"] = connect_args
        return kwargs


def _statement_name() -> str:
    return f"__maxdp_{uuid.uuid4().hex}__"

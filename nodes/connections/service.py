"""``Connections``: one lazily created async engine per named connection, and guarded sessions.

Every node and every run that names a connection shares that connection's pool. A session is
one transaction that carries the connection's guarantees:

- read-only connections: PostgreSQL ``SET TRANSACTION READ ONLY`` as the first statement of
  every transaction (and ``SET SESSION CHARACTERISTICS`` on connect), MySQL
  ``START TRANSACTION READ ONLY`` (and ``SET SESSION TRANSACTION READ ONLY`` on connect),
  SQLite ``PRAGMA query_only``;
- a statement timeout: PostgreSQL ``statement_timeout`` (``SET LOCAL``, so it also holds behind
  a transaction-mode pooler), MySQL ``max_execution_time`` (SELECTs only), MariaDB
  ``max_statement_time``. SQLite has none.

Engines are disposed by ``close()`` (the host's shutdown) and replaced when the store returns a
changed spec for a name (a connection edited on the server).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from flows.errors import MaxDPError, NodeError
from nodes.connections.errors import database_error
from nodes.connections.spec import ConnectionSpec
from nodes.connections.store import ConnectionStore, StaticConnectionStore, load_connections_file

if TYPE_CHECKING:
    from nodes.base import NodeContext
    from nodes.connections.introspect import AccountInfo, ColumnInfo, TableInfo

__all__ = ["NO_CONNECTIONS", "Connections", "connections_from"]

NO_CONNECTIONS = "connection: no connections are configured (pass --connections FILE to maxdp run)"


def connections_from(ctx: NodeContext) -> Connections:
    """The ``connections`` service of the run, or a NodeError saying how to provide one."""
    service = ctx.services.get("connections")
    if service is None:
        raise NodeError(NO_CONNECTIONS)
    if not isinstance(service, Connections):
        raise NodeError(f"connection: the 'connections' service is a {type(service).__name__}")
    return service


@dataclass(slots=True)
class _Entry:
    engine: AsyncEngine
    spec: ConnectionSpec


class Connections:
    """Engines and sessions for named connections, resolved through a ``ConnectionStore``."""

    def __init__(
        self, store: ConnectionStore | Mapping[str, ConnectionSpec] | Iterable[ConnectionSpec]
    ) -> None:
        # A dict has a .get too: mappings and lists of specs are checked first.
        if isinstance(store, Mapping | list | tuple) or not isinstance(store, ConnectionStore):
            store = StaticConnectionStore(store)
        self.store: ConnectionStore = store
        self._engines: dict[str, _Entry] = {}
        self._lock = asyncio.Lock()

    @classmethod
    def from_file(cls, path: str | Path, *, env: Mapping[str, str] | None = None) -> Connections:
        return cls(load_connections_file(path, env=env))

    async def spec(self, name: str) -> ConnectionSpec:
        return await self.store.get(name)

    async def engine(self, name: str) -> tuple[AsyncEngine, ConnectionSpec]:
        """The shared engine of a SQL connection (created on first use)."""
        spec = await self.store.get(name)
        if not spec.is_sql:
            raise NodeError(f"connection {name!r} is an {spec.kind} connection, not a database")
        stale: AsyncEngine | None = None
        async with self._lock:
            entry = self._engines.get(name)
            if entry is not None and entry.spec == spec:
                return entry.engine, spec
            if entry is not None:
                stale = entry.engine
            engine = _create_engine(spec)
            self._engines[name] = _Entry(engine, spec)
        if stale is not None:
            # Connections checked out by running nodes finish; idle ones close now.
            await stale.dispose()
        return engine, spec

    async def dispose(self, name: str) -> None:
        """Close the pool of ``name`` (after the server deleted or edited it)."""
        async with self._lock:
            entry = self._engines.pop(name, None)
        if entry is not None:
            await entry.engine.dispose()

    async def close(self) -> None:
        """Close every pool; the service may be used again afterwards (pools reopen)."""
        async with self._lock:
            entries, self._engines = list(self._engines.values()), {}
        for entry in entries:
            await entry.engine.dispose()

    @asynccontextmanager
    async def session(
        self, name: str, *, write: bool = False, timeout_s: float | None = None
    ) -> AsyncIterator[AsyncConnection]:
        """One transaction on ``name``: read-only unless ``write``, with a statement timeout.

        A write session commits when the block ends normally; everything else rolls back.
        Database errors leave as NodeErrors naming the connection.
        """
        engine, spec = await self.engine(name)
        if write and spec.read_only:
            raise NodeError(
                f"connection {name!r} is read_only: this node writes, so it needs a "
                "connection that may write"
            )
        timeout = timeout_s if timeout_s is not None else spec.statement_timeout_s
        conn = engine.connect()
        try:
            await conn.start()
        except (TimeoutError, sa.exc.SQLAlchemyError, OSError) as exc:
            raise database_error(exc, name, connecting=True) from None
        try:
            await _begin(conn, spec, write=write, timeout_s=timeout)
            yield conn
            if write:
                await conn.commit()
        except MaxDPError:
            raise
        except (TimeoutError, sa.exc.SQLAlchemyError, OSError) as exc:
            raise database_error(exc, name, timeout_s=timeout) from None
        finally:
            # Closing returns the connection to the pool and rolls back what was not committed.
            await conn.close()

    # -- for the server's test and schema-browser endpoints --------------------------------
    async def describe_account(self, name: str) -> AccountInfo:
        from nodes.connections.introspect import describe_account

        return await describe_account(self, name)

    async def list_tables(self, name: str, schema: str | None = None) -> list[TableInfo]:
        from nodes.connections.introspect import list_tables

        return await list_tables(self, name, schema)

    async def list_columns(
        self, name: str, table: str, schema: str | None = None
    ) -> list[ColumnInfo]:
        from nodes.connections.introspect import list_columns

        return await list_columns(self, name, table, schema)


def _create_engine(spec: ConnectionSpec) -> AsyncEngine:
    engine = create_async_engine(spec.sqlalchemy_url(), **spec.engine_kwargs())
    statement = _session_setup(spec)
    if statement is not None:

        def on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.run_async(lambda raw: _raw_execute(raw, statement))

        event.listen(engine.sync_engine, "connect", on_connect)
    return engine


def _session_setup(spec: ConnectionSpec) -> str | None:
    """A statement run once per new server connection, or None.

    Behind a transaction-mode pooler a session setting would leak to other clients' sessions,
    so none is made there: the per-transaction statements of ``_begin`` carry the guarantee.
    """
    if not spec.read_only:
        return None
    if spec.kind == "sqlite":
        return "PRAGMA query_only = ON"
    if spec.dialect_name == "postgresql" and not spec.uses_pooler:
        return "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"
    if spec.kind == "mysql":
        return "SET SESSION TRANSACTION READ ONLY"
    return None


async def _raw_execute(raw: Any, statement: str) -> None:
    """Run one statement on a driver connection (asyncpg, aiomysql or aiosqlite)."""
    if hasattr(raw, "cursor") and not hasattr(raw, "fetchval"):
        cursor = await raw.cursor()
        try:
            await cursor.execute(statement)
        finally:
            await cursor.close()
    else:
        await raw.execute(statement)


async def _begin(
    conn: AsyncConnection, spec: ConnectionSpec, *, write: bool, timeout_s: float
) -> None:
    """The first statements of every transaction: read-only mode and the statement timeout."""
    read_only = spec.read_only or not write
    if spec.dialect_name == "postgresql":
        if read_only:
            await conn.execute(sa.text("SET TRANSACTION READ ONLY"))
        await conn.execute(
            sa.text("SELECT set_config('statement_timeout', :ms, true)"),
            {"ms": str(max(1, round(timeout_s * 1000)))},
        )
    elif spec.kind == "mysql":
        if conn.dialect.is_mariadb:  # type: ignore[attr-defined]
            await conn.execute(sa.text("SET SESSION max_statement_time = :s"), {"s": timeout_s})
        else:
            ms = max(1, round(timeout_s * 1000))
            await conn.execute(sa.text("SET SESSION max_execution_time = :ms"), {"ms": ms})
        await conn.execute(
            sa.text("START TRANSACTION READ ONLY" if read_only else "START TRANSACTION")
        )

"""Real PostgreSQL and MariaDB/MySQL databases for node tests (imported by the conftests).

``MAXDP_TEST_POSTGRES_URL`` / ``MAXDP_TEST_MYSQL_URL`` name a server (an admin account);
each test session creates a uniquely named database plus a SELECT-only account on it, and
drops both at the end. Without a variable those tests skip, saying how to run them; with
``MAXDP_REQUIRE_DB_TESTS=1`` a missing variable or an unreachable server fails them.

The ``db`` fixture runs a test once per available database with a ``Db``: a ``Connections``
service holding ``rw`` (writable), ``ro`` (the admin account, read_only: the session is the
only guard) and ``ro_account`` (the SELECT-only account, read_only).
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import asyncpg
import pandas as pd
import pymysql
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from nodes.base import NodeContext
from nodes.connections import Connections, ConnectionSpec

POSTGRES_ENV = "MAXDP_TEST_POSTGRES_URL"
MYSQL_ENV = "MAXDP_TEST_MYSQL_URL"
REQUIRE_ENV = "MAXDP_REQUIRE_DB_TESTS"
HOW_TO = (
    f"{POSTGRES_ENV}=postgresql://postgres@127.0.0.1:5432/postgres "
    f"{MYSQL_ENV}=mysql://root@127.0.0.1:3306/mysql .venv/bin/pytest tests/nodes/databases"
)
_NAME = re.compile(r"^maxdp_(db|ro)_[0-9a-f]{10}$")


@dataclass(frozen=True)
class Server:
    dialect: str
    url: str  # the test database, admin account
    ro_url: str  # the test database, SELECT-only account


def _unavailable(what: str, reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{what} is required ({REQUIRE_ENV}=1) but {reason}", pytrace=False)
    pytest.skip(f"{what} tests skipped: {reason}. Run them with: {HOW_TO}")


def _names() -> tuple[str, str]:
    token = secrets.token_hex(5)
    db, ro = f"maxdp_db_{token}", f"maxdp_ro_{token}"
    # These names go into DDL (which takes no bind parameters): ours, checked, never user text.
    assert _NAME.match(db) and _NAME.match(ro)
    return db, ro


# -- PostgreSQL -----------------------------------------------------------------------------
async def _pg_async(dsn: str, statements: tuple[str, ...]) -> None:
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def _pg(dsn: str, *statements: str) -> None:
    # A thread of its own: session fixtures may be first requested inside a running loop.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _pg_async(dsn, statements)).result()


def postgres_server() -> Iterator[Server]:
    raw = os.environ.get(POSTGRES_ENV)
    if not raw:
        _unavailable("PostgreSQL", f"{POSTGRES_ENV} is not set")
    admin = make_url(raw).set(drivername="postgresql")
    dsn = admin.render_as_string(hide_password=False)
    db, ro = _names()
    try:
        _pg(dsn, f'CREATE DATABASE "{db}"', f'CREATE ROLE "{ro}" LOGIN')
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        _unavailable("PostgreSQL", f"the server at {admin.host} is unreachable ({exc})")
    url = admin.set(database=db)
    try:
        _pg(
            url.render_as_string(hide_password=False),
            f'GRANT USAGE ON SCHEMA public TO "{ro}"',
            f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO "{ro}"',
        )
        yield Server(
            "postgresql",
            url.render_as_string(hide_password=False),
            url.set(username=ro, password=None).render_as_string(hide_password=False),
        )
    finally:
        _pg(dsn, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        _pg(dsn, f'DROP ROLE IF EXISTS "{ro}"')


# -- MySQL / MariaDB ------------------------------------------------------------------------
def _my(url: sa.URL, *statements: str) -> None:
    conn = pymysql.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
        connect_timeout=10,
    )
    try:
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
        conn.commit()
    finally:
        conn.close()


def mysql_server() -> Iterator[Server]:
    raw = os.environ.get(MYSQL_ENV)
    if not raw:
        _unavailable("MySQL", f"{MYSQL_ENV} is not set")
    admin = make_url(raw).set(drivername="mysql")
    db, ro = _names()
    try:
        _my(
            admin,
            f"CREATE DATABASE `{db}` CHARACTER SET utf8mb4",
            f"CREATE USER '{ro}'@'%'",
            f"GRANT SELECT ON `{db}`.* TO '{ro}'@'%'",
        )
    except pymysql.MySQLError as exc:
        _unavailable("MySQL", f"the server at {admin.host} is unreachable ({exc})")
    url = admin.set(database=db)
    try:
        yield Server(
            "mysql",
            url.render_as_string(hide_password=False),
            url.set(username=ro, password=None).render_as_string(hide_password=False),
        )
    finally:
        _my(admin, f"DROP DATABASE IF EXISTS `{db}`", f"DROP USER IF EXISTS '{ro}'@'%'")


# -- per test -------------------------------------------------------------------------------
@dataclass
class Db:
    dialect: str
    conns: Connections
    kind: str

    def ctx(self, params: dict | None = None, **services: object) -> NodeContext:
        return NodeContext(params=params or {}, services={"connections": self.conns, **services})

    async def execute(self, *statements: str, name: str = "rw") -> None:
        """Test setup SQL (our own fixed text, never user input)."""
        async with self.conns.session(name, write=True) as conn:
            for statement in statements:
                await conn.execute(sa.text(statement))

    async def read_sql(self, sql: str, name: str = "rw") -> pd.DataFrame:
        """What a pandas user would write: ``pandas.read_sql`` over the same driver."""
        async with self.conns.session(name) as conn:
            return await conn.run_sync(lambda sync: pd.read_sql(sa.text(sql), sync))

    def q(self, name: str) -> str:
        """A quoted identifier for test SQL (quote characters inside doubled)."""
        mark = "`" if self.dialect == "mysql" else '"'
        return mark + name.replace(mark, mark * 2) + mark


def make_connections(server: Server, kind: str | None = None, **options: object) -> Connections:
    kind = kind or server.dialect
    specs = [
        ConnectionSpec(name="rw", kind=kind, url=server.url, **options),
        ConnectionSpec(name="ro", kind=kind, url=server.url, read_only=True, **options),
        ConnectionSpec(name="ro_account", kind=kind, url=server.ro_url, read_only=True, **options),
    ]
    return Connections(specs)


async def db_for(server: Server, kind: str | None = None) -> AsyncIterator[Db]:
    conns = make_connections(server, kind)
    try:
        yield Db(server.dialect, conns, kind or server.dialect)
    finally:
        await conns.close()


def unique(prefix: str = "t") -> str:
    return f"{prefix}_{secrets.token_hex(4)}"

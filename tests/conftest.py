"""Fixtures shared by the whole suite: real databases built with the real migrations.

PostgreSQL tests read ``MAXDP_TEST_POSTGRES_URL`` (a server URL such as
``postgresql://postgres@127.0.0.1:5432/postgres``); each test session creates its own database
with a random name, migrates it, and drops it at the end. Without the variable they skip,
unless ``MAXDP_REQUIRE_DB_TESTS=1`` (CI), where a missing or unreachable database fails them.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from max_dp_server import migrate

POSTGRES_ENV = "MAXDP_TEST_POSTGRES_URL"
REQUIRE_ENV = "MAXDP_REQUIRE_DB_TESTS"
HOW_TO = f"{POSTGRES_ENV}=postgresql://postgres@127.0.0.1:5432/postgres make test"
_DB_NAME = re.compile(r"^maxdp_test_[0-9a-f]{12}$")


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"PostgreSQL is required ({REQUIRE_ENV}=1) but {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason}. Run them with: {HOW_TO}")


def _server_dsn() -> str:
    raw = os.environ.get(POSTGRES_ENV)
    if not raw:
        _unavailable(f"{POSTGRES_ENV} is not set")
    # asyncpg takes a plain postgresql:// DSN.
    return make_url(raw).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(dsn: str, statement: str) -> None:
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def create_postgres_database() -> tuple[str, str, str]:
    """A new empty database: (server dsn, its name, its async SQLAlchemy URL)."""
    dsn = _server_dsn()
    name = f"maxdp_test_{secrets.token_hex(6)}"
    # CREATE DATABASE takes no bind parameters; the name is ours and checked, never user text.
    assert _DB_NAME.match(name)
    try:
        asyncio.run(_admin(dsn, f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        _unavailable(f"the server at {make_url(dsn).host} is unreachable ({exc})")
    url = make_url(dsn).set(drivername="postgresql+asyncpg", database=name)
    return dsn, name, url.render_as_string(hide_password=False)


def drop_postgres_database(dsn: str, name: str) -> None:
    assert _DB_NAME.match(name)
    asyncio.run(_admin(dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """The async URL of this session's PostgreSQL database, migrated to head."""
    dsn, name, url = create_postgres_database()
    try:
        migrate.upgrade(url)
        yield url
    finally:
        drop_postgres_database(dsn, name)


@pytest.fixture
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test (dropped after it)."""
    dsn, name, url = create_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(dsn, name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; each test copies it (faster than migrating)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def sqlite_database(sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh migrated SQLite database for one test."""
    target = tmp_path / "maxdp.sqlite"
    shutil.copyfile(sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"

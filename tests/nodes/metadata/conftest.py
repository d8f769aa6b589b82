"""Fixtures: the real PostgreSQL and MariaDB servers of tests/nodes/databases (dbkit), a
metadata schema and the sample shop loaded into a schema (PostgreSQL) or a database (MySQL)
of its own per test, and fresh empty PostgreSQL databases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.engine import make_url

from nodes.base import NodeContext
from nodes.connections import Connections
from tests.nodes.databases.dbkit import Server, mysql_server, postgres_server
from tests.nodes.metadata.metakit import (
    MY_SHOP,
    PG_SHOP,
    connections,
    my_execute,
    name,
    pg_script,
    split_script,
)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Server]:
    yield from postgres_server()


@pytest.fixture(scope="session")
def mysql() -> Iterator[Server]:
    yield from mysql_server()


@dataclass
class Env:
    """One test's world: ``conns`` has ``pg`` (metadata and PostgreSQL shop) and, for MySQL
    tests, ``my`` (the MySQL shop); ``meta`` is the metadata schema, ``shop`` the shop's
    schema (or MySQL database)."""

    conns: Connections
    url: str
    meta: str
    shop: str

    def ctx(self, **kw: object) -> NodeContext:
        return NodeContext(services={"connections": self.conns}, **kw)  # type: ignore[arg-type]


@pytest.fixture
async def env(postgres: Server) -> AsyncIterator[Env]:
    """A metadata schema name (not created) and the shop loaded in a schema of its own."""
    meta, shop = name("meta"), name("shop")
    await pg_script(postgres.url, PG_SHOP, schema=shop)
    conns = connections(pg=postgres.url)
    try:
        yield Env(conns, postgres.url, meta, shop)
    finally:
        await conns.close()
        await pg_script(
            postgres.url, f'DROP SCHEMA IF EXISTS "{meta}" CASCADE; DROP SCHEMA "{shop}" CASCADE'
        )


@pytest.fixture
async def my_env(postgres: Server, mysql: Server) -> AsyncIterator[Env]:
    """Metadata on PostgreSQL, the shop in a MySQL/MariaDB database of its own."""
    meta, shop = name("meta"), name("maxdp_shop")
    my_execute(mysql.url, [f"CREATE DATABASE `{shop}` CHARACTER SET utf8mb4"])
    try:
        my_execute(mysql.url, split_script(MY_SHOP), database=shop)
        my_url = make_url(mysql.url).set(database=shop).render_as_string(hide_password=False)
        conns = connections(pg=postgres.url, my=my_url)
        try:
            yield Env(conns, postgres.url, meta, shop)
        finally:
            await conns.close()
            await pg_script(postgres.url, f'DROP SCHEMA IF EXISTS "{meta}" CASCADE')
    finally:
        my_execute(mysql.url, [f"DROP DATABASE IF EXISTS `{shop}`"])


@pytest.fixture
def empty_pg() -> Iterator[Server]:
    """A new, empty PostgreSQL database (dropped afterwards)."""
    yield from postgres_server()

"""Database fixtures: see ``dbkit`` for how the real servers are found and cleaned up."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.nodes.databases.dbkit import Db, Server, db_for, mysql_server, postgres_server


@pytest.fixture(scope="session")
def postgres() -> Iterator[Server]:
    yield from postgres_server()


@pytest.fixture(scope="session")
def mysql() -> Iterator[Server]:
    yield from mysql_server()


@pytest.fixture(params=["postgresql", "mysql"])
async def db(request: pytest.FixtureRequest) -> AsyncIterator[Db]:
    """The test runs once per database server."""
    server = request.getfixturevalue("postgres" if request.param == "postgresql" else "mysql")
    async for item in db_for(server):
        yield item


@pytest.fixture
async def pg(postgres: Server) -> AsyncIterator[Db]:
    async for item in db_for(postgres):
        yield item


@pytest.fixture
async def supabase(postgres: Server) -> AsyncIterator[Db]:
    """PostgreSQL reached as a ``supabase`` connection: the pooler-safe code path."""
    async for item in db_for(postgres, "supabase"):
        yield item

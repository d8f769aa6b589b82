"""Real MariaDB and PostgreSQL databases for the connection API tests (see ``remote``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.server.connections.remote import RemoteDb, mysql_remote, postgres_remote


@pytest.fixture(scope="session")
def mariadb() -> Iterator[RemoteDb]:
    yield from mysql_remote()


@pytest.fixture(scope="session")
def remote_postgres() -> Iterator[RemoteDb]:
    yield from postgres_remote()

"""Fixtures: real databases (as in tests/nodes/databases), a loopback HTTP API, SMTP servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.nodes.databases.dbkit import Db, Server, db_for, mysql_server, postgres_server
from tests.nodes.messaging.servers import Api, Mailbox, self_signed, start_api, start_smtp


@pytest.fixture(scope="session")
def postgres() -> Iterator[Server]:
    yield from postgres_server()


@pytest.fixture(scope="session")
def mysql() -> Iterator[Server]:
    yield from mysql_server()


@pytest.fixture(params=["postgresql", "mysql"])
async def db(request: pytest.FixtureRequest) -> AsyncIterator[Db]:
    server = request.getfixturevalue("postgres" if request.param == "postgresql" else "mysql")
    async for item in db_for(server):
        yield item


@pytest.fixture(scope="session")
def api_server() -> Iterator[Api]:
    api, server = start_api()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def api(api_server: Api) -> Api:
    """The loopback API with a clean record of calls."""
    with api_server.lock:
        api_server.calls.clear()
        api_server.failures.clear()
    return api_server


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox, controller = start_smtp()
    try:
        yield mailbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def smtp_login() -> Iterator[tuple[Mailbox, int]]:
    mailbox, controller = start_smtp(with_login=True)
    try:
        yield mailbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def smtp_starttls(tmp_path: Path) -> Iterator[tuple[Mailbox, int, Path]]:
    """An SMTP server that requires STARTTLS, with a self-signed certificate (its own CA)."""
    cert, key = self_signed(tmp_path)
    mailbox, controller = start_smtp(tls=(cert, key))
    try:
        yield mailbox, controller.port, cert
    finally:
        controller.stop()

"""Server fixtures: an app per test on SQLite and on PostgreSQL, a client, users and helpers.

Every test that takes ``client`` (or ``app``/``api``) runs twice: ``[sqlite]`` and
``[postgresql]``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from fastapi import FastAPI
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncEngine

from max_dp_server.app import create_app
from max_dp_server.auth.security import create_access_token
from max_dp_server.config import Settings
from max_dp_server.db import Base
from max_dp_server.state import ServerState
from max_dp_server.users.schemas import UserCreate
from max_dp_server.users.service import create_user
from nodes.base import MaxDPNode, NodeConfig, NodeContext, Port
from nodes.registry import NodeRegistry, default_registry

SECRET = "test-secret-key-that-is-long-enough-for-every-hmac-0123456789abcdef"
PASSWORD = "correct horse battery"

# Gates the ``test_wait`` node waits on, by name: a test opens one to let a run go on.
GATES: dict[str, asyncio.Event] = {}


class WaitConfig(NodeConfig):
    gate: str = Field(description="Name of the gate to wait for.")
    max_s: float = 10.0


class WaitNode(MaxDPNode):
    """Passes its input on once the test opens its gate (tests only)."""

    type = "test_wait"
    category = "Control"
    title = "Wait for a test gate"
    inputs: ClassVar[tuple[Port, ...]] = (Port(name="in"),)
    Config = WaitConfig
    is_async = True

    async def arun(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        gate = GATES.setdefault(self.config.gate, asyncio.Event())
        await asyncio.wait_for(gate.wait(), self.config.max_s)
        return {"out": inputs["in"]}


TEST_REGISTRY = NodeRegistry([*default_registry(), WaitNode])


def flow_doc(name: str = "orders", **extra: Any) -> dict[str, Any]:
    """A valid three-node flow: static rows -> sort by amount desc -> display as 'result'."""
    doc = {
        "schema_version": 1,
        "name": name,
        "description": "Orders by amount",
        "nodes": [
            {
                "id": "orders",
                "type": "static_data",
                "config": {
                    "rows": [{"region": "KR", "amount": 10}, {"region": "US", "amount": 30}]
                },
            },
            {
                "id": "sorted",
                "type": "sort_data",
                "config": {"by": [{"column": "amount", "ascending": False}]},
            },
            {"id": "out", "type": "display_results", "config": {"name": "result"}},
        ],
        "edges": [{"source": "orders", "target": "sorted"}, {"source": "sorted", "target": "out"}],
    }
    doc.update(extra)
    return doc


def wait_doc(gate: str, **extra: Any) -> dict[str, Any]:
    """static rows -> test_wait(gate) -> display: runs until the test opens the gate."""
    doc = {
        "name": "waits",
        "nodes": [
            {"id": "src", "type": "static_data", "config": {"rows": [{"x": 1}]}},
            {"id": "wait", "type": "test_wait", "config": {"gate": gate}},
            {"id": "out", "type": "display_results"},
        ],
        "edges": [{"source": "src", "target": "wait"}, {"source": "wait", "target": "out"}],
    }
    doc.update(extra)
    return doc


@pytest.fixture(params=["sqlite", "postgresql"])
def db_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, unmigrated database of each kind (not the session's shared one)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite'}"
    else:
        yield request.getfixturevalue("fresh_postgres_database")


@pytest.fixture
def database_url(db_kind: str, request: pytest.FixtureRequest) -> str:
    if db_kind == "postgresql":
        return request.getfixturevalue("postgres_database")
    return request.getfixturevalue("sqlite_database")


def make_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "data_dir": data_dir,
        "secret_key": SECRET,
        # Cheap hashing: the suite hashes hundreds of passwords.
        "argon2_time_cost": 1,
        "argon2_memory_kib": 8,
        "argon2_parallelism": 1,
        "retention_interval_minutes": 0,
        "max_body_bytes": 64 * 1024,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path / "data")


async def _truncate(engine: AsyncEngine) -> None:
    # The PostgreSQL database lives for the session: empty it (roles are seed data) before
    # each test, so every test starts from the migrated, empty state.
    async with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "roles":
                await conn.execute(table.delete())


@dataclass
class TestUser:
    id: uuid.UUID
    email: str
    password: str
    headers: dict[str, str] = field(default_factory=dict)


class Api:
    """Test helpers that set up users directly and everything else through the API."""

    def __init__(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        self.app = app
        self.client = client
        self._users = 0

    @property
    def state(self) -> ServerState:
        return self.app.state.maxdp

    def token(self, user_id: uuid.UUID | str, minutes: int = 15) -> str:
        return create_access_token(str(user_id), SECRET, minutes=minutes)

    async def user(self, email: str | None = None, *, admin: bool = False) -> TestUser:
        self._users += 1
        email = email or f"user{self._users}@example.com"
        async with self.state.sessionmaker.begin() as session:
            user = await create_user(
                session,
                self.state.passwords,
                UserCreate(email=email, password=PASSWORD, is_admin=admin),
            )
            user_id = user.id
        return TestUser(
            user_id, email, PASSWORD, {"Authorization": f"Bearer {self.token(user_id)}"}
        )

    async def workspace(self, owner: TestUser, name: str = "Sales") -> dict[str, Any]:
        r = await self.client.post("/api/v1/workspaces", json={"name": name}, headers=owner.headers)
        assert r.status_code == 201, r.text
        return r.json()

    async def add_member(
        self, owner: TestUser, workspace_id: str, member: TestUser, role: str
    ) -> dict[str, Any]:
        r = await self.client.put(
            f"/api/v1/workspaces/{workspace_id}/members",
            json={"user_id": str(member.id), "role": role},
            headers=owner.headers,
        )
        assert r.status_code == 200, r.text
        return r.json()

    async def flow(
        self, owner: TestUser, workspace_id: str, document: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        r = await self.client.post(
            "/api/v1/flows",
            json={"workspace_id": workspace_id, "document": document or flow_doc()},
            headers=owner.headers,
        )
        assert r.status_code == 201, r.text
        return r.json()

    async def wait_for_run(
        self, user: TestUser, run_id: str, timeout: float = 10
    ) -> dict[str, Any]:
        """Poll until the run has finished; its record."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            r = await self.client.get(f"/api/v1/runs/{run_id}", headers=user.headers)
            assert r.status_code == 200, r.text
            if r.json()["status"] not in ("queued", "running"):
                return r.json()
            assert asyncio.get_running_loop().time() < deadline, f"run still {r.json()['status']}"
            await asyncio.sleep(0.02)


AppFactory = Callable[..., Any]


@pytest.fixture
def app_factory(settings: Settings, db_kind: str) -> AppFactory:
    """``async with app_factory(**setting overrides) as app``: an app with its lifespan running,
    on an empty database unless ``keep_data``."""

    @asynccontextmanager
    async def make(*, keep_data: bool = False, **overrides: Any) -> AsyncIterator[FastAPI]:
        # Validated like the environment would be (model_copy would take any key silently).
        app_settings = Settings(**{**settings.model_dump(), **overrides}) if overrides else settings
        app = create_app(app_settings, registry=TEST_REGISTRY)
        async with app.router.lifespan_context(app):
            if db_kind == "postgresql" and not keep_data:
                await _truncate(app.state.maxdp.engine)
            yield app

    return make


@pytest.fixture
async def app(app_factory: AppFactory) -> AsyncIterator[FastAPI]:
    GATES.clear()
    async with app_factory() as app:
        yield app
    # A test that left a gate shut must not leave its run waiting.
    for gate in GATES.values():
        gate.set()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def api(app: FastAPI, client: httpx.AsyncClient) -> Api:
    return Api(app, client)


@pytest.fixture
def make_api() -> type[Api]:
    return Api


@pytest.fixture
def gates() -> dict[str, asyncio.Event]:
    return GATES


@pytest.fixture
def make_flow_doc() -> Callable[..., dict[str, Any]]:
    return flow_doc


@pytest.fixture
def make_wait_doc() -> Callable[..., dict[str, Any]]:
    return wait_doc

"""Two real ``maxdp serve`` processes on one PostgreSQL database fire one schedule: each fire
runs exactly once across both, and when the scheduler process is killed the other takes over.

Bounded: the processes start together, the schedule fires every 2 seconds, the lease ttl is
3 seconds; the whole test takes about half a minute. Both processes are stopped in ``finally``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from max_dp_server import migrate
from max_dp_server.auth.security import Passwords
from max_dp_server.config import Settings
from max_dp_server.db import create_engine, create_sessionmaker
from max_dp_server.schedules.runner import LOST_MESSAGE
from max_dp_server.users.schemas import UserCreate
from max_dp_server.users.service import create_user

SECRET = "multi-process-secret-key-long-enough-0123456789abcdef0123456789"
ADMIN, PASSWORD = "admin@example.com", "correct horse battery staple"
TTL_S, EVERY_S = 3, 2
FLOW = {
    "name": "ticker",
    "nodes": [
        {"id": "src", "type": "static_data", "config": {"rows": [{"x": 1}, {"x": 2}]}},
        {"id": "out", "type": "display_results", "config": {"name": "result"}},
    ],
    "edges": [{"source": "src", "target": "out"}],
}


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def tail(self) -> str:
        return f"--- {self.name} log ---\n" + self.log.read_text(errors="replace")[-3000:]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _maxdp() -> list[str]:
    script = Path(sys.executable).with_name("maxdp")
    return [str(script)] if script.exists() else [sys.executable, "-m", "max_dp_server"]


def _env(database_url: str, data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAXDP_")}
    env.update(
        MAXDP_DATABASE_URL=database_url,
        MAXDP_DATA_DIR=str(data_dir),
        MAXDP_SECRET_KEY=SECRET,
        MAXDP_HOST="127.0.0.1",
        MAXDP_PORT=str(port),
        MAXDP_LOG_LEVEL="warning",
        MAXDP_SCHEDULER_LEASE_TTL_SECONDS=str(TTL_S),
        MAXDP_SCHEDULER_LEASE_RENEW_SECONDS="1",
        MAXDP_SCHEDULER_POLL_SECONDS="0.5",
        MAXDP_RETENTION_INTERVAL_MINUTES="0",
        MAXDP_ARGON2_TIME_COST="1",
        MAXDP_ARGON2_MEMORY_KIB="8",
        MAXDP_ARGON2_PARALLELISM="1",
    )
    return env


def _query(database_url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(False)

    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(dsn, timeout=10)
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()

    return asyncio.run(run())


def _create_admin(database_url: str, data_dir: Path) -> None:
    settings = Settings(
        database_url=database_url,
        data_dir=data_dir,
        secret_key=SECRET,
        argon2_time_cost=1,
        argon2_memory_kib=8,
        argon2_parallelism=1,
    )

    async def run() -> None:
        engine = create_engine(settings)
        try:
            async with create_sessionmaker(engine).begin() as session:
                data = UserCreate(email=ADMIN, password=PASSWORD, is_admin=True)
                await create_user(session, Passwords(settings), data)
        finally:
            await engine.dispose()

    asyncio.run(run())


def _wait_for(check: Callable[[], Any], timeout: float, what: str, servers: list[Server]) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}\n" + "\n".join(s.tail() for s in servers))
        time.sleep(0.25)


def _healthy(server: Server) -> bool:
    if server.process.poll() is not None:
        pytest.fail(f"{server.name} exited with {server.process.returncode}\n{server.tail()}")
    try:
        return httpx.get(f"{server.url}/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture
def servers(fresh_postgres_database: str, tmp_path: Path) -> Iterator[list[Server]]:
    url = fresh_postgres_database
    migrate.upgrade(url)  # once, before either process starts (both would race to migrate)
    _create_admin(url, tmp_path / "setup")
    started: list[Server] = []
    try:
        for name in ("a", "b"):
            port, log = _free_port(), tmp_path / f"{name}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [*_maxdp(), "serve"],
                    env=_env(url, tmp_path / f"data-{name}", port),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            started.append(Server(name, process, f"http://127.0.0.1:{port}", log))
        for server in started:
            _wait_for(lambda s=server: _healthy(s), 45, f"{server.name} to start", started)
        yield started
    finally:
        for server in started:
            if server.process.poll() is None:
                server.process.terminate()
        for server in started:
            try:
                server.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait(timeout=5)


def _fires(url: str, schedule_id: uuid.UUID) -> list[asyncpg.Record]:
    return _query(
        url,
        "SELECT fire_time, status, run_id, claimed_by, message FROM maxdp_schedule_fires "
        "WHERE schedule_id = $1 ORDER BY fire_time",
        schedule_id,
    )


def _lease(url: str) -> asyncpg.Record:
    return _query(url, "SELECT holder, token FROM maxdp_scheduler_lease WHERE name = 'scheduler'")[
        0
    ]


def _pid(holder: str) -> int:
    return int(holder.split(":")[-2])


def _assert_consecutive(times: list[dt.datetime]) -> None:
    steps = {b - a for a, b in itertools.pairwise(times)}
    assert steps <= {dt.timedelta(seconds=EVERY_S)}, f"gaps or repeats in {times}"


def test_two_servers_fire_each_time_once_and_take_over(
    servers: list[Server], fresh_postgres_database: str
) -> None:
    url = fresh_postgres_database
    a = servers[0]
    r = httpx.post(f"{a.url}/api/v1/auth/login", json={"email": ADMIN, "password": PASSWORD})
    assert r.status_code == 200, r.text
    auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
    with httpx.Client(base_url=a.url, headers=auth, timeout=10) as client:
        workspace_id = client.post("/api/v1/workspaces", json={"name": "Ops"}).json()["id"]
        flow = client.post("/api/v1/flows", json={"workspace_id": workspace_id, "document": FLOW})
        flow_id = flow.json()["id"]
        assert client.post(f"/api/v1/flows/{flow_id}/versions", json={}).status_code == 201
        r = client.post(
            f"/api/v1/flows/{flow_id}/schedules", json={"cron": f"*/{EVERY_S} * * * * *"}
        )
        assert r.status_code == 201, r.text
        schedule_id = uuid.UUID(r.json()["id"])

    # ~10 seconds with both processes alive: one scheduler, every fire once.
    time.sleep(10)
    fires = _fires(url, schedule_id)
    assert len(fires) >= 4, "\n".join(s.tail() for s in servers)
    _assert_consecutive([f["fire_time"] for f in fires])
    leader = _lease(url)
    assert {f["claimed_by"] for f in fires} == {leader["holder"]}
    by_pid = {s.process.pid: s for s in servers}
    assert _pid(leader["holder"]) in by_pid
    statuses = []
    for server in servers:  # each process answers for the lease, and shows the same fires
        r = httpx.get(f"{server.url}/api/v1/scheduler/status", headers=auth, timeout=10)
        statuses.append(r.json()["is_leader"])
        r = httpx.get(f"{server.url}/api/v1/schedules/{schedule_id}/fires?limit=500", headers=auth)
        assert r.json()["total"] >= len(fires)
    assert sorted(statuses) == [False, True]

    # Kill the scheduler process; the other takes the lease over once it expires.
    killed = by_pid[_pid(leader["holder"])]
    survivor = next(s for s in servers if s is not killed)
    killed.process.send_signal(signal.SIGKILL)
    killed.process.wait(timeout=10)
    killed_at = dt.datetime.now(dt.UTC)
    new = _wait_for(
        lambda: (row := _lease(url))["holder"] != leader["holder"] and row,
        TTL_S + 10,
        "the other process to take the lease over",
        servers,
    )
    assert _pid(new["holder"]) == survivor.process.pid
    assert new["token"] == leader["token"] + 1
    _wait_for(
        lambda: (
            len(
                [
                    f
                    for f in _fires(url, schedule_id)
                    if f["claimed_by"] == new["holder"] and f["fire_time"] > killed_at
                ]
            )
            >= 3
        ),
        3 * EVERY_S + 10,
        "fires after the takeover",
        servers,
    )
    survivor.process.terminate()  # a clean stop: its started fires reach their runs first
    # uvicorn shuts down, then re-raises SIGTERM: -15 is a clean exit too.
    assert survivor.process.wait(timeout=20) in (0, -signal.SIGTERM), survivor.tail()
    assert _lease(url)["holder"] is None  # released on the way out, not left to expire

    # Every fire time once, no gap across the takeover; each started fire has its own run.
    fires = _fires(url, schedule_id)
    _assert_consecutive([f["fire_time"] for f in fires])
    assert {f["claimed_by"] for f in fires} == {leader["holder"], new["holder"]}
    lost = [f for f in fires if f["status"] != "started"]
    assert len(lost) <= 1, lost  # killed between claiming a fire and starting its run
    for fire in lost:
        assert (fire["status"], fire["claimed_by"], fire["message"]) == (
            "failed",
            leader["holder"],
            LOST_MESSAGE,
        )
    runs = _query(
        url,
        "SELECT id, trigger FROM maxdp_runs WHERE flow_id = $1",
        uuid.UUID(flow_id),
    )
    assert {r["trigger"] for r in runs} == {"schedule"}
    assert sorted(r["id"] for r in runs) == sorted(
        f["run_id"] for f in fires if f["status"] == "started"
    )

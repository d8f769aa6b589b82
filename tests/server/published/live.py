"""A real server process for the tests that must go through real HTTP.

``python -m tests.server.published.live`` serves the app with uvicorn (settings from the
``MAXDP_*`` environment, like ``maxdp serve``), with the built-in nodes plus ``test_sleep``.
``LiveServer`` starts it on a free loopback port and logs in as its first administrator.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
from pydantic import Field

from nodes.base import MaxDPNode, NodeConfig, NodeContext, Port

ROOT = Path(__file__).resolve().parents[3]
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "live-server-password"


class SleepConfig(NodeConfig):
    seconds: float = Field(ge=0, le=30)


class SleepNode(MaxDPNode):
    """Passes its input on after ``seconds`` (tests only: a slow node for timeouts)."""

    type = "test_sleep"
    category = "Control"
    title = "Sleep"
    inputs: ClassVar[tuple[Port, ...]] = (Port(name="in"),)
    Config = SleepConfig
    is_async = True

    async def arun(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        await asyncio.sleep(self.config.seconds)
        return {"out": inputs["in"]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """``with LiveServer(tmp_path, MAXDP_X=...) as server``: ``server.url``, ``server.admin``."""

    def __init__(self, data_dir: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "MAXDP_DATA_DIR": str(data_dir),
            "MAXDP_PORT": str(self.port),
            "MAXDP_SECRET_KEY": "live-server-secret-key-" + "x" * 32,
            "MAXDP_ADMIN_EMAIL": ADMIN_EMAIL,
            "MAXDP_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "MAXDP_LOG_LEVEL": "warning",
            "MAXDP_ARGON2_TIME_COST": "1",
            "MAXDP_ARGON2_MEMORY_KIB": "8",
            "MAXDP_ARGON2_PARALLELISM": "1",
            "MAXDP_RETENTION_INTERVAL_MINUTES": "0",
            "MAXDP_SCHEDULER": "off",
            "MAXDP_RUN_RECORD_INTERVAL_SECONDS": "0.2",
            **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.admin: dict[str, str] = {}

    def __enter__(self) -> LiveServer:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.server.published.live"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode()[-3000:] if self.proc.stderr else ""
                raise RuntimeError(f"the server exited: {err}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError("the server did not answer /health in 60 s")
            time.sleep(0.1)
        r = httpx.post(
            f"{self.url}/api/v1/auth/login",
            json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
        )
        r.raise_for_status()
        self.admin = {"Authorization": f"Bearer {r.json()['access_token']}"}
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@contextlib.contextmanager
def live_server(data_dir: Path, **env: str) -> Iterator[LiveServer]:
    with LiveServer(data_dir, **env) as server:
        yield server


def main() -> None:  # pragma: no cover - runs in the server process
    import uvicorn

    from max_dp_server import migrate
    from max_dp_server.app import create_app
    from max_dp_server.auth.security import Passwords
    from max_dp_server.config import Settings
    from max_dp_server.db import create_engine, create_sessionmaker
    from max_dp_server.users.service import ensure_first_admin
    from nodes.registry import NodeRegistry, default_registry

    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.database_url)

    async def first_admin() -> None:
        engine = create_engine(settings)
        try:
            async with create_sessionmaker(engine).begin() as session:
                await ensure_first_admin(session, Passwords(settings), ADMIN_EMAIL, ADMIN_PASSWORD)
        finally:
            await engine.dispose()

    asyncio.run(first_admin())
    registry = NodeRegistry([*default_registry(), SleepNode])
    uvicorn.run(
        create_app(settings, registry=registry),
        host="127.0.0.1",
        port=settings.port,
        log_level=settings.log_level,
    )


if __name__ == "__main__":
    main()

"""API throughput: GET /api/v1/flows (100 flows) and POST /api/v1/flows/{id}/run (3 nodes).

Starts ``python -m max_dp_server serve`` as a separate process on a free loopback port (SQLite,
and PostgreSQL when MAXDP_TEST_POSTGRES_URL or MAXDP_BENCH_POSTGRES_URL names a server), drives
it with httpx from this process, and prints requests/s with p50/p99 latency.

    .venv/bin/python bench/bench_api.py [--duration 10] [--concurrency 16]
        [--backends sqlite,postgresql]

Results also go to bench/results/api.json. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
ADMIN = {"email": "bench@example.com", "password": "bench-password-123"}
FLOW = {
    "name": "bench",
    "nodes": [
        {
            "id": "src",
            "type": "static_data",
            "config": {"rows": [{"k": i % 7, "v": i} for i in range(50)]},
        },
        {
            "id": "sorted",
            "type": "sort_data",
            "config": {"by": [{"column": "v", "ascending": False}]},
        },
        {"id": "out", "type": "display_results", "config": {"name": "result"}},
    ],
    "edges": [{"source": "src", "target": "sorted"}, {"source": "sorted", "target": "out"}],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    dsn = make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"maxdp_bench_{secrets.token_hex(4)}"  # ours, not user text: no bind for identifiers

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            make_url(dsn)
            .set(drivername="postgresql+asyncpg", database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.contextmanager
def server(database_url: str | None, data_dir: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "MAXDP_DATA_DIR": str(data_dir),
        "MAXDP_PORT": str(port),
        "MAXDP_ADMIN_EMAIL": ADMIN["email"],
        "MAXDP_ADMIN_PASSWORD": ADMIN["password"],
        "MAXDP_LOG_LEVEL": "warning",
        "MAXDP_LOGIN_RATE_LIMIT": "1000",
    }
    if database_url:
        env["MAXDP_DATABASE_URL"] = database_url
    proc = subprocess.Popen(
        [sys.executable, "-m", "max_dp_server", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {proc.stderr.read().decode()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("server did not become healthy in 60 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


async def prepare(client: httpx.AsyncClient) -> tuple[dict[str, str], str]:
    r = await client.post("/api/v1/auth/login", json=ADMIN)
    r.raise_for_status()
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    r = await client.post("/api/v1/workspaces", json={"name": "bench"}, headers=headers)
    workspace_id = r.json()["id"]
    flow_id = ""
    for i in range(100):
        doc = {**FLOW, "name": f"bench flow {i:03d}"}
        r = await client.post(
            "/api/v1/flows", json={"workspace_id": workspace_id, "document": doc}, headers=headers
        )
        r.raise_for_status()
        flow_id = r.json()["id"]
    return headers, flow_id


async def load(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    body: Any,
    headers: dict[str, str],
    duration: float,
    concurrency: int,
) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + duration

    async def worker() -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            try:
                r = await client.request(method, url, json=body, headers=headers)
                ok = r.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append((time.perf_counter() - t0) * 1000)
            errors += not ok

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50_ms": cuts[49],
        "p99_ms": cuts[98],
    }


async def drive(base: str, duration: float, concurrency: int) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        headers, flow_id = await prepare(client)
        # Warm up both paths once.
        await client.get("/api/v1/flows?limit=100", headers=headers)
        await client.post(f"/api/v1/flows/{flow_id}/run", json={}, headers=headers)
        listing = await load(
            client, "GET", "/api/v1/flows?limit=100", None, headers, duration, concurrency
        )
        runs = await load(
            client, "POST", f"/api/v1/flows/{flow_id}/run", {}, headers, duration, concurrency
        )
    return {"GET /api/v1/flows (100 flows)": listing, "POST /api/v1/flows/{id}/run (3 nodes)": runs}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="Seconds per endpoint.")
    parser.add_argument("--concurrency", type=int, default=16, help="Requests in flight.")
    parser.add_argument("--backends", default="sqlite,postgresql")
    # Called as bench.bench_api.main() by `python -m bench`: defaults, not that command's argv.
    args = parser.parse_args(argv or [])
    pg_url = os.environ.get("MAXDP_BENCH_POSTGRES_URL") or os.environ.get("MAXDP_TEST_POSTGRES_URL")
    results: dict[str, Any] = {}
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            if backend == "sqlite":
                with server(None, Path(tmp)) as base:
                    results[backend] = asyncio.run(drive(base, args.duration, args.concurrency))
            elif backend == "postgresql" and pg_url:
                with postgres_database(pg_url) as url, server(url, Path(tmp)) as base:
                    results[backend] = asyncio.run(drive(base, args.duration, args.concurrency))
            else:
                print(f"skipping {backend}: set MAXDP_BENCH_POSTGRES_URL", file=sys.stderr)
    print(
        f"\nconcurrency {args.concurrency}, {args.duration:g} s per endpoint, "
        "server: one uvicorn process"
    )
    print(
        f"{'database':<11} {'endpoint':<38} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
    )
    for backend, endpoints in results.items():
        for endpoint, r in endpoints.items():
            print(
                f"{backend:<11} {endpoint:<38} {r['rps']:>8.1f} {r['p50_ms']:>8.1f} "
                f"{r['p99_ms']:>8.1f} {r['errors']:>7}"
            )
    out = ROOT / "bench" / "results" / "api.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"args": vars(args), "results": results}, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])

"""/execute throughput against a hand-written FastAPI endpoint doing the same pandas work.

The flow: static_data (10 rows) -> filter_rows (``amount > @min_amount``) -> display_results,
published with ``auth: api_key``, a rate limit (1,000,000/min: counted, never reached) and
``record_runs: all`` (every call is written to run history, in batches). The baseline is what a
developer would write by hand: a FastAPI route filtering the same prebuilt DataFrame and
returning ``{"outputs": {"result": df.to_dict("records")}}``.

Both servers are single uvicorn processes (httptools, uvloop) started here as subprocesses on
free loopback ports; the load generator is a third process: ``wrk`` when installed (Debian
package ``wrk``), else this file's own httpx driver (``--drive``). Rounds alternate the two
servers so a busy machine skews both alike; the figures are the median round.

Each round measures twice: flat out (32 connections, each sending its next request as soon as
the last is answered: the throughput, with latency that is mostly queueing, since 32 callers at
1,000 calls/s wait 32 ms on average whatever the server does), and paced (32 callers, each
waiting ``--pace-ms`` between calls: the latency a caller sees below saturation).

    .venv/bin/python -m bench.bench_execute [--duration 10] [--connections 32] [--rounds 3]
        [--database postgresql]

Also reports the cold call: how long publishing takes (it builds the executor), the first call
after publishing, and the first call after a server restart (built from the database). Results
go to bench/results/execute.json. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
ADMIN = {"email": "bench@example.com", "password": "bench-password-123"}
ROWS = [{"id": i, "amount": i * 10, "region": "KR" if i % 2 else "US"} for i in range(10)]
FLOW = {
    "name": "execute bench",
    "parameters": [{"name": "min_amount", "type": "integer", "default": 0}],
    "nodes": [
        {"id": "src", "type": "static_data", "config": {"rows": ROWS}},
        {"id": "keep", "type": "filter_rows", "config": {"condition": "amount > @min_amount"}},
        {"id": "out", "type": "display_results", "config": {"name": "result"}},
    ],
    "edges": [{"source": "src", "target": "keep"}, {"source": "keep", "target": "out"}],
}
QUERY = "?min_amount=35"


def baseline_app() -> Any:
    """The hand-written endpoint (``uvicorn --factory bench.bench_execute:baseline_app``)."""
    import pandas as pd
    from fastapi import FastAPI

    app = FastAPI()
    table = pd.DataFrame.from_records(ROWS)

    @app.get("/orders")
    async def orders(min_amount: int = 0) -> dict[str, Any]:
        df = table.copy(deep=False)
        kept = df[df["amount"] > min_amount]
        return {"outputs": {"result": kept.to_dict(orient="records")}}

    return app


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(proc: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + 90
    while True:
        if proc.poll() is not None:
            err = proc.stderr.read().decode()[-2000:] if proc.stderr else ""
            raise RuntimeError(f"server exited: {err}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code < 500:
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer in 90 s")
        time.sleep(0.2)


@contextlib.contextmanager
def process(args: list[str], env: dict[str, str], health: str) -> Iterator[None]:
    proc = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        _wait_healthy(proc, health)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def maxdp_env(data_dir: Path, port: int, database_url: str | None) -> dict[str, str]:
    env = {
        **os.environ,
        "MAXDP_DATA_DIR": str(data_dir),
        "MAXDP_PORT": str(port),
        "MAXDP_ADMIN_EMAIL": ADMIN["email"],
        "MAXDP_ADMIN_PASSWORD": ADMIN["password"],
        "MAXDP_LOG_LEVEL": "warning",
        "MAXDP_RETENTION_INTERVAL_MINUTES": "0",
    }
    if database_url:
        env["MAXDP_DATABASE_URL"] = database_url
    return env


def maxdp_server(env: dict[str, str]) -> contextlib.AbstractContextManager[None]:
    base = f"http://127.0.0.1:{env['MAXDP_PORT']}"
    return process([sys.executable, "-m", "max_dp_server", "serve"], env, f"{base}/health")


def baseline_server(port: int) -> contextlib.AbstractContextManager[None]:
    args = [
        sys.executable, "-m", "uvicorn", "--factory", "bench.bench_execute:baseline_app",
        "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    return process(args, dict(os.environ), f"http://127.0.0.1:{port}/docs")


def prepare(base: str, record: str = "all") -> dict[str, Any]:
    """Publish the flow; the API key, and the cold-call timings."""
    with httpx.Client(base_url=base, timeout=60) as client:
        r = client.post("/api/v1/auth/login", json=ADMIN)
        r.raise_for_status()
        auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
        ws = client.post("/api/v1/workspaces", json={"name": "bench"}, headers=auth).json()["id"]
        r = client.post("/api/v1/flows", json={"workspace_id": ws, "document": FLOW}, headers=auth)
        flow = r.json()["id"]
        client.post(f"/api/v1/flows/{flow}/versions", json={"comment": "v1"}, headers=auth)
        key = client.post(
            f"/api/v1/workspaces/{ws}/api-keys", json={"name": "bench"}, headers=auth
        ).json()["key"]
        t0 = time.perf_counter()
        r = client.post(
            f"/api/v1/flows/{flow}/publish",
            json={"endpoint": "orders", "rate_limit": 1_000_000, "record_runs": record},
            headers=auth,
        )
        publish_ms = (time.perf_counter() - t0) * 1000
        r.raise_for_status()
        first_ms = _timed_get(client, f"/execute/orders{QUERY}", {"X-API-Key": key})
        warm_ms = statistics.median(
            _timed_get(client, f"/execute/orders{QUERY}", {"X-API-Key": key}) for _ in range(50)
        )
    return {"key": key, "publish_ms": publish_ms, "first_call_ms": first_ms, "warm_ms": warm_ms}


def _timed_get(client: httpx.Client, url: str, headers: dict[str, str]) -> float:
    t0 = time.perf_counter()
    r = client.get(url, headers=headers)
    elapsed = (time.perf_counter() - t0) * 1000
    if r.status_code != 200:
        raise RuntimeError(f"{url}: {r.status_code} {r.text[:300]}")
    return elapsed


# -- load generation ------------------------------------------------------------------------
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def run_wrk(
    url: str, headers: dict[str, str], duration: float, connections: int, pace_ms: float = 0
) -> dict[str, Any]:
    args = ["wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if pace_ms:
            # Each connection waits this long before its next request: callers at a steady
            # rate instead of as fast as the server answers (wrk's own latency excludes it).
            script.write(f"function delay()\n  return {pace_ms:g}\nend\n")
            script.flush()
            args += ["-s", script.name]
        out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)$", out, re.M)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": _ms(percentiles["50"]),
        "p99_ms": _ms(percentiles["99"]),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else None,
        "generator": "wrk",
    }


async def _drive(
    url: str, headers: dict[str, str], duration: float, connections: int, pace_ms: float
) -> Any:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30, headers=headers) as client:
        stop = time.perf_counter() + duration

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                try:
                    ok = (await client.get(url)).status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append((time.perf_counter() - t0) * 1000)
                errors += not ok
                if pace_ms:
                    await asyncio.sleep(pace_ms / 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": cuts[49],
        "p99_ms": cuts[98],
        "requests": len(latencies),
        "errors": errors,
        "generator": "httpx (wrk not installed)",
    }


def run_load(
    url: str, headers: dict[str, str], duration: float, connections: int, pace_ms: float = 0
) -> Any:
    if shutil.which("wrk"):
        return run_wrk(url, headers, duration, connections, pace_ms)
    # The fallback driver still runs in a process of its own.
    args = [sys.executable, "-m", "bench.bench_execute", "--drive", url]
    args += ["--duration", str(duration), "--connections", str(connections)]
    args += ["--pace-ms", str(pace_ms)]
    args += ["--headers", json.dumps(headers)]
    out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


# -- the benchmark --------------------------------------------------------------------------
def bench(args: argparse.Namespace, database_url: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        env = maxdp_env(Path(tmp), free_port(), database_url)
        maxdp = f"http://127.0.0.1:{env['MAXDP_PORT']}"
        base_port = free_port()
        with maxdp_server(env):
            cold = prepare(maxdp, args.record)
        key_header = {"X-API-Key": cold.pop("key")}
        rounds: list[dict[str, Any]] = []
        with maxdp_server(env), baseline_server(base_port):
            restart_ms = _timed_get(httpx.Client(), f"{maxdp}/execute/orders{QUERY}", key_header)
            cold["first_call_after_restart_ms"] = restart_ms
            urls = {
                "baseline": (f"http://127.0.0.1:{base_port}/orders{QUERY}", {}),
                "execute": (f"{maxdp}/execute/orders{QUERY}", key_header),
            }
            for _ in range(args.rounds):
                found = {
                    name: run_load(url, hdrs, args.duration, args.connections)
                    for name, (url, hdrs) in urls.items()
                }
                found.update(
                    (f"{name} paced", run_load(url, hdrs, args.duration, args.connections,
                                               args.pace_ms))
                    for name, (url, hdrs) in urls.items()
                )  # fmt: skip
                rounds.append(found)
                baseline, execute = found["baseline"], found["execute"]
                print(
                    f"  round: /execute {execute['rps']:.0f} req/s, "
                    f"hand-written {baseline['rps']:.0f} req/s",
                    file=sys.stderr,
                )
            runs = httpx.get(
                f"{maxdp}/execute/health", timeout=10
            ).json()  # records still queued at the end, for the note
    middle = sorted(rounds, key=lambda r: r["execute"]["rps"])[len(rounds) // 2]
    return {"cold": cold, "rounds": rounds, "median_round": middle, "health": runs}


def _print(database: str, result: dict[str, Any], args: argparse.Namespace) -> None:
    r = result["median_round"]
    ex, base = r["execute"], r["baseline"]
    print(f"\n{database}: {args.connections} connections, {args.duration:g} s, {ex['generator']}")
    print(f"{'':<44} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    rows = (
        ("/execute (api key, limit, record), flat out", ex),
        ("hand-written FastAPI, flat out", base),
        (f"/execute, each caller every {args.pace_ms:g} ms", r["execute paced"]),
        (f"hand-written, each caller every {args.pace_ms:g} ms", r["baseline paced"]),
    )
    for name, row in rows:
        print(
            f"{name:<44} {row['rps']:>8.0f} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} "
            f"{row['errors']:>7}"
        )
    print(f"throughput ratio /execute : hand-written = {ex['rps'] / base['rps']:.2f}")
    c = result["cold"]
    print(
        f"cold: publish (builds the executor) {c['publish_ms']:.1f} ms; first call after "
        f"publish {c['first_call_ms']:.1f} ms; first call after a restart "
        f"{c['first_call_after_restart_ms']:.1f} ms; warm call (one client) {c['warm_ms']:.2f} ms"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--pace-ms",
        type=float,
        default=64,
        help="Think time of each caller in the paced runs (32 callers x 1/64 ms = 500 calls/s).",
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--record", choices=["all", "errors", "none"], default="all", help="record_runs"
    )
    parser.add_argument("--drive", help=argparse.SUPPRESS)
    parser.add_argument("--headers", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args(argv or [])
    if args.drive:
        out = asyncio.run(
            _drive(
                args.drive, json.loads(args.headers), args.duration, args.connections, args.pace_ms
            )
        )
        print(json.dumps(out))
        return
    if args.database == "postgresql":
        from bench.bench_api import postgres_database

        server = os.environ.get("MAXDP_BENCH_POSTGRES_URL") or os.environ["MAXDP_TEST_POSTGRES_URL"]
        with postgres_database(server) as url:
            result = bench(args, url)
    else:
        result = bench(args, None)
    _print(args.database, result, args)
    out = ROOT / "bench" / "results" / "execute.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    saved = json.loads(out.read_text()) if out.exists() else {}
    saved[args.database] = {"args": vars(args), **result}  # one entry per database
    out.write_text(json.dumps(saved, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])

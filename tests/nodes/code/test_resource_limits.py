"""Resource attacks stop at the configured limit, with the right message, while another run in
the same pool succeeds; killed workers are replaced. Also: the process walls of a worker hold
on their own, without the language guards in front of them."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import NodeError
from nodes.code.sandbox.channel import PROJECT_ROOT, worker_env
from nodes.code.sandbox.limits import SandboxLimits
from nodes.code.sandbox.pool import SandboxPool

pytestmark = pytest.mark.asyncio(loop_scope="module")

# The wall clock is generous so that a CPU attack on a busy machine still meets its CPU limit
# first; the wall-clock test sets its own small limit.
CPU, MEMORY, WALL = 1, 256, 20
IS_ROOT = os.geteuid() == 0


@pytest.fixture(scope="module")
def limits() -> SandboxLimits:
    return SandboxLimits(cpu_seconds=CPU, memory_mb=MEMORY, wall_seconds=WALL, runs_per_worker=1000)


ORDINARY = "d = df.copy()\nd['b'] = d['a'] * 2\nresult = d"
DATA = pd.DataFrame({"a": [1, 2, 3]})

ATTACKS = {
    "while_true": ("while True:\n    pass\nresult = df", rf"^limit: CPU time exceeded {CPU} s$"),
    "swallowed_cpu_timer": (
        "while True:\n    try:\n        while True:\n            pass\n"
        "    except:\n        pass\nresult = df",
        rf"^limit: CPU time exceeded {CPU} s$",
    ),
    "regex_backtracking": (
        "import re\nre.match('(a+)+$', 'a' * 64 + 'b')\nresult = df",
        rf"^limit: CPU time exceeded {CPU} s$",
    ),
    "allocate_10_gb_list": (
        "x = [0] * (10 * 1024 ** 3 // 8)\nresult = df",
        rf"^limit: memory exceeded {MEMORY} MB \(line 1\)$",
    ),
    "allocate_10_gb_numpy": (
        "n = 10 * 1024 ** 3 // 8\nx = np.zeros(n)\nresult = df",
        rf"^limit: memory exceeded {MEMORY} MB \(line 2\)$",
    ),
    "allocate_10_gb_frame": (
        "big = pd.DataFrame({'a': range(10 * 1024 ** 3 // 8)})\nresult = big",
        rf"^limit: memory exceeded {MEMORY} MB \(line 1\)$",
    ),
    "huge_string": (
        "s = 'x' * (10 ** 10)\nresult = df",
        rf"^limit: memory exceeded {MEMORY} MB \(line 1\)$",
    ),
    "doubling_string": (
        "s = 'x'\nwhile True:\n    s = s + s\nresult = df",
        rf"^limit: memory exceeded {MEMORY} MB \(line 3\)$",
    ),
    "deep_recursion": (
        "def f(n):\n    return f(n + 1)\nresult = f(0)",
        r"^limit: recursion depth exceeded \(line 2\)$",
    ),
    "fork_bomb_os": (
        "import os\nwhile True:\n    os.fork()\nresult = df",
        r"^guard: import of 'os' is not allowed \(line 1\)$",
    ),
    "fork_bomb_pandas_chain": (
        "f = getattr(getattr(pd, 'com' + 'pat'), 'os')\nresult = df",
        r"^guard: .*'compat'",
    ),
    "fork_bomb_multiprocessing": (
        "import multiprocessing\nresult = df",
        r"^guard: import of 'multiprocessing' is not allowed \(line 1\)$",
    ),
}


async def wait_for_workers(pool: SandboxPool, count: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while pool.live_workers < count:
        assert time.monotonic() < deadline, f"pool has {pool.live_workers} workers, wanted {count}"
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("name", list(ATTACKS))
async def test_attack_stops_at_the_limit_while_another_run_succeeds(pool, name):
    code, expected = ATTACKS[name]
    await wait_for_workers(pool, 2)
    started = time.monotonic()

    async def attack() -> float:
        with pytest.raises(NodeError, match=expected):
            await pool.run("script", code, {"src": DATA}, {})
        return time.monotonic() - started

    elapsed, ordinary = await asyncio.gather(
        attack(), pool.run("script", ORDINARY, {"src": DATA}, {})
    )
    assert_frame_equal(ordinary.table, DATA.assign(b=DATA["a"] * 2))
    # The message says which limit stopped it; here it is never the (generous) wall clock.
    assert elapsed < WALL
    await wait_for_workers(pool, 2)
    again = await pool.run("script", ORDINARY, {"src": DATA}, {})
    assert_frame_equal(again.table, ordinary.table)


async def test_wall_clock_kill_replaces_the_worker(pool):
    await wait_for_workers(pool, 2)
    before = set(pool.worker_pids())
    started = time.monotonic()
    with pytest.raises(NodeError, match=r"^limit: wall clock exceeded 0.5 s$"):
        await pool.run(
            "script", "while True:\n    pass\nresult = df", {}, {}, {"wall_seconds": 0.5}
        )
    assert time.monotonic() - started < 5
    await wait_for_workers(pool, 2)
    after = set(pool.worker_pids())
    killed = before - after
    assert len(killed) == 1
    (pid,) = killed
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # gone, and reaped


async def test_a_cancelled_run_kills_its_worker(pool):
    # What a node timeout in the executor does: the run is abandoned mid-way.
    await wait_for_workers(pool, 2)
    before = set(pool.worker_pids())
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(
            pool.run("script", "while True:\n    pass\nresult = df", {}, {}), timeout=0.3
        )
    await wait_for_workers(pool, 2)
    assert len(before - set(pool.worker_pids())) == 1
    ordinary = await pool.run("script", ORDINARY, {"src": DATA}, {})
    assert_frame_equal(ordinary.table, DATA.assign(b=DATA["a"] * 2))


async def test_node_limits_are_capped_by_the_server_maxima(pool):
    capped = pool.limits_for({"cpu_seconds": 600, "memory_mb": 100_000, "wall_seconds": None})
    assert (capped.cpu_seconds, capped.memory_mb, capped.wall_seconds) == (CPU, MEMORY, WALL)
    assert pool.limits_for({"cpu_seconds": 0.5}).cpu_seconds == 0.5


async def test_worker_is_recycled_after_runs_per_worker():
    limits = SandboxLimits(cpu_seconds=2, memory_mb=256, wall_seconds=5, runs_per_worker=2)
    async with SandboxPool(size=1, maxima=limits) as small:
        pids = []
        for _ in range(3):
            await small.run("script", "result = df", {"s": DATA}, {})
            await wait_for_workers(small, 1)
            pids.append(small.worker_pids()[0])
    # The first worker retires after its second run; its replacement serves the third.
    assert pids[0] != pids[1] == pids[2]


async def test_worker_walls(pool, monkeypatch):
    await wait_for_workers(pool, 2)
    pid = pool.worker_pids()[0]
    assert sorted(os.listdir(f"/proc/{pid}/fd")) == ["0", "1", "2"]
    limits = Path(f"/proc/{pid}/limits").read_text()
    assert "Max open files            3                    3" in limits
    assert "Max file size             0                    0" in limits
    assert "Max core file size        0                    0" in limits
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    assert not any(item.startswith((b"MAXDP_", b"HOME=")) for item in environ)
    walls = pool.walls()
    if IS_ROOT:
        assert (walls["uid"], walls["gid"]) == (65534, 65534)
        assert "Uid:\t65534" in Path(f"/proc/{pid}/status").read_text()


async def test_server_secrets_do_not_reach_workers(monkeypatch):
    monkeypatch.setenv("MAXDP_SECRET_KEY", "s3cret")
    assert "MAXDP_SECRET_KEY" not in worker_env()


HARNESS = """
import errno, json, os, socket, sys
from nodes.code.sandbox.walls import Walls
report = Walls(2, 256).raise_walls()
out = {"uid": os.getuid()}
def attempt(name, action):
    try:
        action()
        out[name] = "allowed"
    except OSError as exc:
        out[name] = errno.errorcode.get(exc.errno, str(exc.errno))
attempt("open_marker", lambda: open(sys.argv[1], "w"))
attempt("socket", lambda: socket.socket())
forks = 0
if os.getuid() != 0:
    try:
        while forks < 2000:
            if os.fork() == 0:
                os._exit(0)  # unreaped, it still holds its process slot
            forks += 1
    except OSError as exc:
        out["fork_stopped"] = errno.errorcode.get(exc.errno)
out["forks"] = forks
os.write(1, json.dumps(out).encode())
"""


async def test_process_walls_hold_without_the_language_guards(tmp_path):
    """An attacker who got past the guards (simulated: plain Python after raise_walls) can
    open no file or socket, and as nobody cannot fork without bound."""
    marker = tmp_path / "pwned"
    env = {**worker_env(), "PYTHONPATH": PROJECT_ROOT}
    proc = subprocess.Popen(
        [sys.executable, "-c", HARNESS, str(marker)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    try:
        out, _ = await asyncio.to_thread(proc.communicate, timeout=120)
    finally:
        os.killpg(proc.pid, 9)  # the forked children too
    report = json.loads(out)
    assert report["open_marker"] == "EMFILE"
    assert report["socket"] == "EMFILE"
    assert not marker.exists()
    if IS_ROOT:
        assert report["uid"] == 65534
        assert report["fork_stopped"] == "EAGAIN"
        assert report["forks"] <= 256

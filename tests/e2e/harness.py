"""Runs the designer's browser test: a real ``maxdp serve`` on a free loopback port with a fresh
data directory, and ``node designer.e2e.mjs`` driving Debian's Chromium through playwright-core.

Used by ``test_designer.py`` (``make test``) and by ``make screenshots``
(``python -m tests.e2e.harness --screenshots docs/images``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DESIGNER = ROOT / "max_dp_designer"
SCRIPT = Path(__file__).resolve().parent / "designer.e2e.mjs"
# A failing run leaves its screenshot here (git-ignored).
ARTIFACTS = ROOT / "out" / "e2e"
CHROMIUM = Path(os.environ.get("MAXDP_E2E_CHROMIUM", "/usr/bin/chromium"))
EMAIL = "e2e-admin@example.com"
PASSWORD = "e2e-password-1234"


@dataclass(frozen=True)
class Server:
    url: str
    log: Path


def missing_prerequisites() -> list[str]:
    """Why the browser test cannot run here (empty when it can)."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} is missing (apt-get install chromium)")
    if shutil.which("node") is None:
        missing.append("node is not installed")
    if not (DESIGNER / "node_modules" / "playwright-core").is_dir():
        missing.append("playwright-core is not installed (cd max_dp_designer && npm ci)")
    if not (ROOT / "max_dp_server" / "static" / "index.html").is_file():
        missing.append("the designer is not built (make designer)")
    return missing


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(workdir: Path) -> Iterator[Server]:
    """``maxdp serve`` on loopback with a fresh data directory and a known admin."""
    port = free_port()
    data = workdir / "data"
    log = workdir / "server.log"
    env = {
        **os.environ,
        "MAXDP_DATA_DIR": str(data),
        "MAXDP_DATABASE_URL": "",
        "MAXDP_ADMIN_EMAIL": EMAIL,
        "MAXDP_ADMIN_PASSWORD": PASSWORD,
        "MAXDP_HOST": "127.0.0.1",
        "MAXDP_PORT": str(port),
        "MAXDP_LOG_LEVEL": "warning",
        # Cheap password hashing: the test logs in, it does not measure Argon2.
        "MAXDP_ARGON2_MEMORY_KIB": "1024",
        "MAXDP_ARGON2_TIME_COST": "1",
        "MAXDP_ARGON2_PARALLELISM": "1",
    }
    maxdp = Path(sys.executable).with_name("maxdp")
    command = [str(maxdp), "serve"] if maxdp.exists() else [sys.executable, "-m", "max_dp_server"]
    url = f"http://127.0.0.1:{port}"
    _sample_database(data / "shop.sqlite")
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_healthy(url, proc, log)
            yield Server(url=url, log=log)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _sample_database(path: Path) -> None:
    """A small SQLite file in the data directory, for the connection and table browser steps."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.executescript(
            """
            CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, region TEXT);
            CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL
                REFERENCES customers(id), amount REAL, placed_at TEXT DEFAULT CURRENT_TIMESTAMP);
            INSERT INTO customers (name, region) VALUES ('Kim', 'KR'), ('Lee', 'KR'), ('Ann', 'US');
            """
        )


def _wait_healthy(
    url: str, proc: subprocess.Popen[bytes], log: Path, timeout_s: float = 60
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"maxdp serve exited ({proc.returncode}):\n{log.read_text()}")
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/health", timeout=2) as r:
            if r.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(
        f"maxdp serve did not become healthy in {timeout_s:.0f} s:\n{log.read_text()}"
    )


def run_browser_test(
    screenshots: Path | None = None, timeout_s: float = 240
) -> subprocess.CompletedProcess[str]:
    """Starts a server and runs the Node script against it; returns the finished process."""
    with tempfile.TemporaryDirectory(prefix="maxdp-e2e-") as tmp:
        workdir = Path(tmp)
        with running_server(workdir) as server:
            env = {
                **os.environ,
                "MAXDP_E2E_URL": server.url,
                "MAXDP_E2E_EMAIL": EMAIL,
                "MAXDP_E2E_PASSWORD": PASSWORD,
                "MAXDP_E2E_CHROMIUM": str(CHROMIUM),
                "MAXDP_E2E_ARTIFACTS": str(ARTIFACTS),
            }
            if screenshots is not None:
                env["MAXDP_E2E_SCREENSHOTS"] = str(screenshots.resolve())
            result = subprocess.run(
                ["node", str(SCRIPT)],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout_s,
                check=False,
            )
            if result.returncode != 0:
                result.stderr += f"\n--- server log ---\n{server.log.read_text()[-4000:]}"
            return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenshots", type=Path, help="write PNGs of the main screens here")
    args = parser.parse_args()
    missing = missing_prerequisites()
    if missing:
        print("cannot run the designer's browser test: " + "; ".join(missing), file=sys.stderr)
        return 2
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)
    result = run_browser_test(args.screenshots)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())

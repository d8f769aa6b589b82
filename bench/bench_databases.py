"""table_reader / table_writer on 1e6 rows against pandas over the same driver, same run.

For each server (PostgreSQL through asyncpg, MariaDB/MySQL through aiomysql) a throwaway
database is created, a ``bench`` table of ``ROWS`` rows is loaded (id BIGINT, name TEXT,
amount DOUBLE, created TIMESTAMP, ref nullable BIGINT: every 7th row null), and then, each the
median of ``REPEATS`` runs:

- read: the table_reader node (``Connections`` + ``arun``) vs ``pandas.read_sql`` of the same
  ``SELECT *`` run through ``AsyncConnection.run_sync`` on the node's own async engine, so the
  driver is the same (psycopg is not installed; for MySQL ``pymysql`` is, and aiomysql's
  protocol code *is* pymysql's, so a plain sync ``mysql+pymysql`` read_sql is reported too);
- write: table_writer ``append`` into an empty table vs ``DataFrame.to_sql(method="multi",
  chunksize=CHUNK)`` on the same async engine (plus sync pymysql for MySQL).

The databases are dropped at the end. Environment: ``MAXDP_BENCH_POSTGRES_URL`` /
``MAXDP_BENCH_MYSQL_URL`` (admin accounts), ``MAXDP_BENCH_DB_ROWS`` (default 1000000),
``MAXDP_BENCH_DB_REPEATS`` (default 3), ``MAXDP_BENCH_DB_ONLY`` (``postgresql``/``mysql``).

    .venv/bin/python -m bench databases

A benchmark, not a test.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from nodes.base import NodeContext
from nodes.connections import Connections, ConnectionSpec
from nodes.databases.table_reader import TableReader
from nodes.databases.table_writer import TableWriter

POSTGRES_URL = os.environ.get(
    "MAXDP_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
MYSQL_URL = os.environ.get("MAXDP_BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306/mysql")
ROWS = int(os.environ.get("MAXDP_BENCH_DB_ROWS", "1000000"))
REPEATS = int(os.environ.get("MAXDP_BENCH_DB_REPEATS", "3"))
ONLY = os.environ.get("MAXDP_BENCH_DB_ONLY")
# to_sql multi: one INSERT of CHUNK rows x 5 columns (25,000 parameters, under asyncpg's 32,767).
CHUNK = 5000
# The batch size of the initial load (the timed writes use the node's default, 1000).
WRITER_BATCH = 100_000


def frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    ids = np.arange(rows, dtype="int64")
    ref = pd.array(rng.integers(0, 1_000_000, rows), dtype="Int64")
    ref[ids % 7 == 0] = pd.NA
    return pd.DataFrame(
        {
            "id": ids,
            "name": [f"customer {i} 고객" for i in range(rows)],
            "amount": rng.random(rows) * 1000,
            # Whole seconds: MariaDB DATETIME keeps no fraction, PostgreSQL keeps microseconds.
            "created": pd.Timestamp("2024-01-01") + pd.to_timedelta(ids % 86_400_000, unit="s"),
            "ref": ref,
        }
    )


DDL = {
    "postgresql": "CREATE TABLE {t} (id BIGINT PRIMARY KEY, name TEXT NOT NULL, "
    "amount DOUBLE PRECISION, created TIMESTAMP, ref BIGINT)",
    "mysql": "CREATE TABLE {t} (id BIGINT PRIMARY KEY, name TEXT NOT NULL, "
    "amount DOUBLE, created DATETIME, ref BIGINT)",
}


async def timed(fn: Callable[[], Awaitable[Any]], reset: Callable[[], Awaitable[Any]]) -> float:
    """Median seconds of REPEATS runs of ``fn``, ``reset`` before each (untimed)."""
    times = []
    for _ in range(REPEATS):
        await reset()
        start = time.perf_counter()
        await fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def nothing() -> None:
    return None


# -- one server -----------------------------------------------------------------------------
async def bench_server(kind: str, admin_url: str, df: pd.DataFrame) -> dict[str, float]:
    admin = make_url(admin_url)
    name = f"maxdp_bench_{secrets.token_hex(4)}"  # ours, never user text: safe in DDL
    q = "`" if kind == "mysql" else '"'
    admin_conns = Connections([ConnectionSpec(name="admin", kind=kind, url=admin_url)])
    await _ddl(admin_conns, f"CREATE DATABASE {q}{name}{q}")
    url = admin.set(database=name).render_as_string(hide_password=False)
    conns = Connections([ConnectionSpec(name="bench", kind=kind, url=url)])
    ctx = NodeContext(services={"connections": conns})
    figures: dict[str, float] = {}
    try:
        engine, _ = await conns.engine("bench")
        async with engine.begin() as conn:
            await conn.execute(sa.text(DDL[kind].format(t="bench")))
            await conn.execute(sa.text(DDL[kind].format(t="target")))
        start = time.perf_counter()
        await TableWriter(
            "load", {"connection": "bench", "table": "bench", "batch_size": WRITER_BATCH}
        ).arun({"in": df}, ctx)
        print(f"  loaded {len(df):,} rows in {time.perf_counter() - start:.1f}s", flush=True)

        reader = TableReader("r", {"connection": "bench", "table": "bench"})

        async def node_read() -> pd.DataFrame:
            return (await reader.arun({}, ctx))["out"]

        async def pandas_read() -> pd.DataFrame:
            async with engine.connect() as conn:
                return await conn.run_sync(lambda c: pd.read_sql(sa.text("SELECT * FROM bench"), c))

        ours, theirs = await node_read(), await pandas_read()
        pd.testing.assert_frame_equal(ours, theirs)  # same frame, or the timing means nothing
        figures["read_node"] = await timed(node_read, nothing)
        figures["read_pandas"] = await timed(pandas_read, nothing)
        if kind == "mysql":
            figures["read_pymysql"] = await asyncio.to_thread(_sync_read, url)

        async def truncate() -> None:
            async with engine.begin() as conn:
                await conn.execute(sa.text("TRUNCATE TABLE target"))

        writer = TableWriter("w", {"connection": "bench", "table": "target"})  # default batches

        async def node_write() -> None:
            await writer.arun({"in": df}, ctx)

        async def pandas_write() -> None:
            async with engine.begin() as conn:
                await conn.run_sync(lambda c: _to_sql(df, c))

        figures["write_node"] = await timed(node_write, truncate)
        async with engine.connect() as conn:
            written = await conn.run_sync(
                lambda c: pd.read_sql(sa.text("SELECT * FROM target ORDER BY id"), c)
            )
        pd.testing.assert_frame_equal(written, theirs)
        figures["write_pandas"] = await timed(pandas_write, truncate)
        if kind == "mysql":
            await truncate()
            figures["write_pymysql"] = await asyncio.to_thread(_sync_write, url, df)
    finally:
        await conns.close()
        await _ddl(admin_conns, f"DROP DATABASE IF EXISTS {q}{name}{q}")
        await admin_conns.close()
    return figures


async def _ddl(conns: Connections, statement: str) -> None:
    engine, _ = await conns.engine("admin")
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(sa.text(statement))


def _to_sql(df: pd.DataFrame, conn: sa.Connection) -> None:
    df.to_sql("target", conn, if_exists="append", index=False, method="multi", chunksize=CHUNK)


def _sync_engine(url: str) -> sa.Engine:
    return sa.create_engine(
        make_url(url).set(drivername="mysql+pymysql", query={"charset": "utf8mb4"})
    )


def _sync_read(url: str) -> float:
    engine = _sync_engine(url)
    try:
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            with engine.connect() as conn:
                pd.read_sql(sa.text("SELECT * FROM bench"), conn)
            times.append(time.perf_counter() - start)
        return statistics.median(times)
    finally:
        engine.dispose()


def _sync_write(url: str, df: pd.DataFrame) -> float:
    engine = _sync_engine(url)
    try:
        times = []
        for _ in range(REPEATS):
            with engine.begin() as conn:
                conn.execute(sa.text("TRUNCATE TABLE target"))
            start = time.perf_counter()
            with engine.begin() as conn:
                _to_sql(df, conn)
            times.append(time.perf_counter() - start)
        return statistics.median(times)
    finally:
        engine.dispose()


# -- report ---------------------------------------------------------------------------------
def report(kind: str, f: dict[str, float]) -> None:
    driver = "asyncpg" if kind == "postgresql" else "aiomysql"
    print(f"  read  table_reader {f['read_node']:7.2f}s   pd.read_sql ({driver}, run_sync) "
          f"{f['read_pandas']:7.2f}s   ratio {f['read_node'] / f['read_pandas']:.2f}")  # fmt: skip
    if "read_pymysql" in f:
        print(f"        pd.read_sql (sync pymysql) {f['read_pymysql']:7.2f}s   "
              f"ratio {f['read_node'] / f['read_pymysql']:.2f}")  # fmt: skip
    ratio = f["write_node"] / f["write_pandas"]
    print(f"  write table_writer {f['write_node']:7.2f}s   to_sql multi ({driver}, run_sync) "
          f"{f['write_pandas']:7.2f}s   ratio {ratio:.2f}")  # fmt: skip
    if "write_pymysql" in f:
        print(f"        to_sql multi (sync pymysql) {f['write_pymysql']:7.2f}s   "
              f"ratio {f['write_node'] / f['write_pymysql']:.2f}")  # fmt: skip


def main() -> None:
    df = frame(ROWS)
    print(f"{ROWS:,} rows x {df.shape[1]} columns, median of {REPEATS}", flush=True)
    for kind, url in (("postgresql", POSTGRES_URL), ("mysql", MYSQL_URL)):
        if ONLY and kind != ONLY:
            continue
        print(f"-- {kind} --", flush=True)
        report(kind, asyncio.run(bench_server(kind, url, df)))


if __name__ == "__main__":
    main()

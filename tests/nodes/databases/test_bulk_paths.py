"""The fast paths: PostgreSQL COPY (and upsert through a temporary table), aiomysql multi-row
INSERTs, and chunked driver-level reads, each compared with the plain path or with pandas."""

from __future__ import annotations

import datetime as dt
import decimal

import aiomysql.cursors
import pandas as pd
import pytest
import sqlalchemy as sa
from pandas.testing import assert_frame_equal
from sqlalchemy.dialects import mysql as mysql_dialect

from flows.errors import NodeError
from nodes.base import NodeContext
from nodes.databases import _read
from nodes.databases._write import _insert, write_frame
from nodes.databases.table_reader import TableReader
from nodes.databases.table_writer import TableWriter
from tests.nodes.databases.dbkit import Db, unique

MIXED = pd.DataFrame(
    {
        "id": [1, 2, 3, 4],
        "name": ["김민지", None, 'O\'Brien "q" \\ %s', "Zoë 🎉"],
        "amount": [1.5, None, -2.25, 1e300],
        "ref": pd.array([7, None, 9, -(2**62)], dtype="Int64"),
        "price": [decimal.Decimal("12.34"), None, decimal.Decimal("-0.01"), decimal.Decimal("0")],
        "active": [True, False, None, True],
        "at": pd.to_datetime(
            [
                "2024-01-02 03:04:05.123456",
                None,
                "1999-12-31 00:00:00.000000",
                "2038-01-19 00:00:00.000000",
            ]
        ),
        "day": [dt.date(2024, 2, 29), None, dt.date(1970, 1, 1), dt.date(2000, 1, 1)],
    }
)
MIXED_DDL = (
    "(id INTEGER PRIMARY KEY, name VARCHAR(40), amount DOUBLE PRECISION, ref BIGINT, "
    "price NUMERIC(10, 2), active BOOLEAN, at TIMESTAMP, day DATE)"
)


async def _contents(db: Db, table: str) -> pd.DataFrame:
    return await db.read_sql(f"SELECT * FROM {db.q(table)} ORDER BY 1")


async def _write(db: Db, frame: pd.DataFrame, **config: object) -> pd.DataFrame:
    return (await TableWriter("w", {"connection": "rw", **config}).arun({"in": frame}, db.ctx()))[
        "out"
    ]


async def test_copy_writes_what_executemany_writes(pg: Db) -> None:
    copied, inserted = unique("copy"), unique("many")
    await pg.execute(*(f"CREATE TABLE {pg.q(t)} {MIXED_DDL}" for t in (copied, inserted)))
    summary = await _write(pg, MIXED, table=copied)
    assert summary.loc[0, "rows_written"] == 4
    await write_frame(pg.conns, "rw", MIXED, table=inserted, schema=None, mode="append",
                      key_columns=(), batch_size=2, use_copy=False)  # fmt: skip
    out = await _contents(pg, copied)
    assert_frame_equal(out, await _contents(pg, inserted))
    # Not two equally wrong copies: the values are the input's.
    assert out["name"].tolist()[2:] == MIXED["name"].tolist()[2:]
    assert out["at"].tolist()[0] == pd.Timestamp("2024-01-02 03:04:05.123456")
    assert out["ref"].tolist()[3] == -(2**62) and pd.isna(out["ref"][1])
    assert out["price"].tolist()[0] == 12.34 and out["active"].tolist()[:2] == [True, False]


async def test_copy_creates_and_replaces_in_one_transaction(pg: Db) -> None:
    table = unique("made")
    await _write(pg, MIXED.drop(columns=["price", "day"]), table=table, mode="create")
    out = await _contents(pg, table)
    assert out["name"].tolist()[2:] == MIXED["name"].tolist()[2:]
    newer = MIXED.drop(columns=["price", "day"]).iloc[[3, 0]].reset_index(drop=True)
    summary = await _write(pg, newer, table=table, mode="replace")
    assert summary.loc[0, "rows_deleted"] == 4
    assert (await _contents(pg, table))["id"].tolist() == [1, 4]


@pytest.mark.parametrize("mode", ["append", "replace", "upsert"])
async def test_a_failure_in_the_last_rows_leaves_the_table_unchanged(db: Db, mode: str) -> None:
    table = unique("keep")
    await db.execute(
        f"CREATE TABLE {db.q(table)} (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL)",
        f"INSERT INTO {db.q(table)} VALUES (1, 'old'), (2, 'older')",
    )
    before = await _contents(db, table)
    rows = pd.DataFrame({"id": range(3, 33), "name": [f"n{i}" for i in range(30)]})
    bad = rows.astype({"name": object})
    bad.loc[29, "name"] = None  # NOT NULL violated by the very last row, batch 3 of 3
    keys = {"key_columns": "id"} if mode == "upsert" else {}
    with pytest.raises(NodeError, match=r"connection 'rw': .*name"):
        await _write(db, bad, table=table, mode=mode, batch_size=10, **keys)
    assert_frame_equal(await _contents(db, table), before)
    # The same rows without the null go in: the failure above was that row.
    await _write(db, rows, table=table, mode="upsert", key_columns="id", batch_size=10)
    assert len(await _contents(db, table)) == 32


async def test_upsert_through_a_temporary_table_matches_pandas(pg: Db) -> None:
    table = unique("up")
    await pg.execute(f"CREATE TABLE {pg.q(table)} {MIXED_DDL}")
    await _write(pg, MIXED.iloc[:3], table=table)
    new = MIXED.iloc[1:].assign(name=["b2", None, "d2"], amount=[9.0, 8.0, None])
    summary = await _write(pg, new, table=table, mode="upsert", key_columns="id")
    assert summary.loc[0, "rows_written"] == 3
    expected = await _contents(pg, table)
    # The same upsert on the executemany path (ON CONFLICT per row) gives the same table.
    other = unique("up")
    await pg.execute(f"CREATE TABLE {pg.q(other)} {MIXED_DDL}")
    await _write(pg, MIXED.iloc[:3], table=other)
    await write_frame(pg.conns, "rw", new, table=other, schema=None, mode="upsert",
                      key_columns=["id"], batch_size=1, use_copy=False)  # fmt: skip
    assert_frame_equal(await _contents(pg, other), expected)
    names = expected["name"].tolist()
    assert names[:2] == ["김민지", "b2"] and pd.isna(names[2]) and names[3] == "d2"
    leftovers = await pg.read_sql(
        "SELECT count(*) AS n FROM pg_class WHERE relname LIKE 'maxdp\\_upsert\\_%'"
    )
    assert leftovers["n"].tolist() == [0]  # the staging table went with the commit


async def test_upsert_with_only_keys_inserts_new_keys_by_copy(pg: Db) -> None:
    table = unique("tags")
    await pg.execute(f"CREATE TABLE {pg.q(table)} (tag VARCHAR(20) PRIMARY KEY)")
    await _write(pg, pd.DataFrame({"tag": ["a", "b"]}), table=table)
    await _write(pg, pd.DataFrame({"tag": ["b", "c"]}), table=table, mode="upsert",
                 key_columns="tag")  # fmt: skip
    assert (await _contents(pg, table))["tag"].tolist() == ["a", "b", "c"]


@pytest.mark.parametrize("mode", ["append", "upsert"])
def test_mariadb_batches_are_rewritten_into_multi_row_inserts(mode: str) -> None:
    """aiomysql sends one multi-row INSERT per batch only when its regex matches our SQL."""
    table = sa.Table(
        "t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), sa.Column("v", sa.Text)
    )
    dialect = mysql_dialect.dialect(paramstyle="format", is_mariadb=True)
    stmt = _insert("mysql", table, mode, ["id"], ["id", "v"])  # type: ignore[arg-type]
    sql = str(stmt.compile(dialect=dialect))
    assert aiomysql.cursors.RE_INSERT_VALUES.match(sql), sql


async def test_reads_in_chunks_match_read_sql(db: Db, monkeypatch: pytest.MonkeyPatch) -> None:
    table = unique("chunks")
    frame = MIXED.drop(columns=["price"])
    async with db.conns.session("rw", write=True) as conn:
        await conn.run_sync(lambda sync: frame.to_sql(table, sync, index=False))
    monkeypatch.setattr(_read, "CHUNK_ROWS", 3)  # 4 rows: two fetches, the last one short
    expected = await db.read_sql(f"SELECT * FROM {db.q(table)}")
    node = TableReader("r", {"connection": "ro_account", "table": table})
    assert_frame_equal((await node.arun({}, db.ctx()))["out"], expected)
    capped = TableReader("r", {"connection": "ro_account", "table": table, "order_by": "id"})
    ctx = NodeContext(row_limit=3, services={"connections": db.conns})
    out = (await capped.arun({}, ctx))["out"]
    assert_frame_equal(out, expected.sort_values("id").head(3).reset_index(drop=True))
    where = TableReader(
        "r", {"connection": "ro_account", "table": table, "where": "id in @ids", "order_by": "id"}
    )
    out = (await where.arun({}, db.ctx({"ids": [4, 1, 99]})))["out"]
    assert out["id"].tolist() == [1, 4]

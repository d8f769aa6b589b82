"""table_writer on real PostgreSQL and MariaDB: every mode, all-or-nothing, odd names."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import ConfigError, NodeError
from nodes.databases.table_writer import TableWriter
from tests.nodes.databases.dbkit import Db, unique


async def _table(db: Db, rows: list[tuple[int, str, float | None]]) -> str:
    table = unique("stock")
    await db.execute(
        f"CREATE TABLE {db.q(table)} (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL, "
        "qty DOUBLE PRECISION)"
    )
    if rows:
        frame = pd.DataFrame(rows, columns=["id", "name", "qty"])
        async with db.conns.session("rw", write=True) as conn:
            await conn.run_sync(
                lambda sync: frame.to_sql(table, sync, index=False, if_exists="append")
            )
    return table


async def _contents(db: Db, table: str) -> pd.DataFrame:
    return await db.read_sql(f"SELECT * FROM {db.q(table)} ORDER BY 1")


async def _write(db: Db, frame: pd.DataFrame, **config: object) -> pd.DataFrame:
    node = TableWriter("w", {"connection": "rw", **config})
    return (await node.arun({"in": frame}, db.ctx()))["out"]


OLD = [(1, "bolt", 5.0), (2, "nut", None)]
NEW = pd.DataFrame({"id": [2, 3], "name": ["Nut ü", "washer"], "qty": [7.5, None]})


async def test_append(db: Db) -> None:
    table = await _table(db, OLD)
    summary = await _write(db, NEW.assign(id=[3, 4]), table=table, mode="append")
    assert summary.to_dict("records") == [
        {"table": table, "mode": "append", "rows_written": 2, "rows_deleted": 0}
    ]
    old = pd.DataFrame(OLD, columns=["id", "name", "qty"])
    expected = pd.concat([old, NEW.assign(id=[3, 4])], ignore_index=True)
    assert_frame_equal(await _contents(db, table), expected)


async def test_replace_keeps_the_table_and_swaps_rows(db: Db) -> None:
    table = await _table(db, OLD)
    summary = await _write(db, NEW, table=table, mode="replace")
    assert summary.loc[0, "rows_deleted"] == 2
    assert_frame_equal(await _contents(db, table), NEW)
    columns = await db.conns.list_columns("rw", table)
    assert [c.primary_key for c in columns] == [True, False, False]  # the definition stayed


async def test_upsert_matches_pandas(db: Db) -> None:
    table = await _table(db, OLD)
    await _write(db, NEW, table=table, mode="upsert", key_columns="id", batch_size=1)
    old = pd.DataFrame(OLD, columns=["id", "name", "qty"])
    expected = (
        pd.concat([old, NEW]).drop_duplicates("id", keep="last").sort_values("id")
    ).reset_index(drop=True)
    assert_frame_equal(await _contents(db, table), expected)


async def test_upsert_with_only_key_columns_inserts_new_keys(db: Db) -> None:
    table = unique("tags")
    await db.execute(f"CREATE TABLE {db.q(table)} (tag VARCHAR(20) PRIMARY KEY)")
    await _write(db, pd.DataFrame({"tag": ["a", "b"]}), table=table, mode="append")
    await _write(
        db, pd.DataFrame({"tag": ["b", "c"]}), table=table, mode="upsert", key_columns="tag"
    )
    assert (await _contents(db, table))["tag"].tolist() == ["a", "b", "c"]


async def test_create_round_trips_types_nulls_and_unicode(db: Db) -> None:
    frame = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "고객 이름": ["김민지", None, 'a "quoted" name'],
            "score": [1.5, None, -2.0],
            "active": [True, False, True],
            "joined": pd.to_datetime(["2024-01-02 03:04:05", None, "2023-12-31 00:00:00"]),
            "day": [dt.date(2024, 1, 2), None, dt.date(2020, 2, 29)],
        }
    )
    table = unique("made")
    await _write(db, frame, table=table, mode="create", key_columns="id")
    out = await _contents(db, table)
    expected = frame.copy()
    if db.dialect == "mysql":
        expected["active"] = expected["active"].astype("int64")  # BOOLEAN is TINYINT there
    expected["joined"] = expected["joined"].astype(out["joined"].dtype)
    assert_frame_equal(out, expected)
    with pytest.raises(NodeError, match=f"table: '{table}' already exists"):
        await _write(db, frame, table=table, mode="create")


async def test_a_failing_batch_leaves_the_table_unchanged(db: Db) -> None:
    table = await _table(db, OLD)
    before = await _contents(db, table)
    rows = pd.DataFrame(
        {"id": range(10, 35), "name": [f"n{i}" for i in range(25)], "qty": [1.0] * 25}
    )
    bad = rows.copy()
    bad.loc[15, "id"] = 10  # batch 2 of 3 repeats a key of batch 1
    for mode in ("append", "replace"):
        with pytest.raises(NodeError, match="connection 'rw': "):
            await _write(db, bad, table=table, mode=mode, batch_size=10)
        assert_frame_equal(await _contents(db, table), before)
    # The good rows go in, so the failure above really was the bad row.
    await _write(db, rows, table=table, mode="append", batch_size=10)
    assert len(await _contents(db, table)) == 27


async def test_a_failing_create_leaves_no_table(db: Db) -> None:
    table = unique("failed")
    frame = pd.DataFrame({"id": [1, 2, 3, 1], "v": ["a", "b", "c", "d"]})
    with pytest.raises(NodeError, match="connection 'rw': "):
        await _write(db, frame, table=table, mode="create", key_columns="id", batch_size=2)
    names = [t.name for t in await db.conns.list_tables("rw")]
    assert table not in names


async def test_odd_names_and_an_injection_attempt_in_the_table_name(db: Db) -> None:
    victim = await _table(db, OLD)
    hostile = f'x; DROP TABLE {victim}; -- "q" `b` 표'
    frame = pd.DataFrame({'a "b"': [1], "c`d": ["e"], "한글 열": [None]})
    await _write(db, frame, table=hostile, mode="create")
    names = [t.name for t in await db.conns.list_tables("rw")]
    assert hostile in names and victim in names
    out = await db.read_sql(f"SELECT * FROM {db.q(hostile)}")
    assert list(out.columns) == ['a "b"', "c`d", "한글 열"]
    assert out.iloc[0].tolist()[:2] == [1, "e"]
    assert_frame_equal(
        await _contents(db, victim), pd.DataFrame(OLD, columns=["id", "name", "qty"])
    )


async def test_errors_name_the_column_key_and_connection(db: Db) -> None:
    table = await _table(db, OLD)
    with pytest.raises(
        NodeError,
        match=rf"in: column 'colour' is not in table '{table}' \(table columns: id, name, qty\)",
    ):
        await _write(db, NEW.assign(colour="red"), table=table, mode="append")
    dupes = pd.DataFrame({"id": [5, 5], "name": ["a", "b"], "qty": [1.0, 2.0]})
    with pytest.raises(
        NodeError, match=r"key_columns: the input holds the key \(id=5\) more than once"
    ):
        await _write(db, dupes, table=table, mode="upsert", key_columns="id")
    with pytest.raises(
        NodeError, match=r"table: 'nope' not found on connection 'rw' \(mode create"
    ):
        await _write(db, NEW, table="nope", mode="append")
    with pytest.raises(NodeError, match="connection 'ro' is read_only: this node writes"):
        await TableWriter("w", {"connection": "ro", "table": table}).arun({"in": NEW}, db.ctx())
    assert_frame_equal(await _contents(db, table), pd.DataFrame(OLD, columns=["id", "name", "qty"]))


async def test_upsert_without_a_unique_key_explains(pg: Db) -> None:
    table = unique("nokey")
    await pg.execute(f'CREATE TABLE "{table}" (id INTEGER, v TEXT)')
    with pytest.raises(NodeError, match="no unique or exclusion constraint"):
        await _write(pg, pd.DataFrame({"id": [1], "v": ["a"]}), table=table, mode="upsert",
                     key_columns="id")  # fmt: skip


def test_config_errors() -> None:
    with pytest.raises(ConfigError, match="key_columns: mode upsert needs key_columns"):
        TableWriter("w", {"connection": "c", "table": "t", "mode": "upsert"})
    with pytest.raises(ConfigError, match="mode"):
        TableWriter("w", {"connection": "c", "table": "t", "mode": "merge"})
    with pytest.raises(ConfigError, match="batch_size"):
        TableWriter("w", {"connection": "c", "table": "t", "batch_size": 0})

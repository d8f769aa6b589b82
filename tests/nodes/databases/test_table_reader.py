"""table_reader against real PostgreSQL and MariaDB, compared with pandas over the same rows."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import NodeError
from nodes.base import NodeContext
from nodes.databases.table_reader import TableReader
from tests.nodes.databases.dbkit import Db, unique

ROWS = pd.DataFrame(
    {
        "id": [1, 2, 3, 4, 5, 6],
        "region": ["KR", "US", "KR", None, "JP", "KR"],
        "amount": [10.5, 3.0, None, 7.25, 12.0, 1.5],
        "고객 이름": ["김민지", "Ann", "O'Brien", "Zoë", None, 'x"y'],
    }
)


async def _seed(db: Db, frame: pd.DataFrame = ROWS) -> str:
    table = unique("orders")
    # Seeded the pandas way, independent of table_writer.
    async with db.conns.session("rw", write=True) as conn:
        await conn.run_sync(lambda sync: frame.to_sql(table, sync, index=False))
    return table


async def _read(db: Db, config: dict, params: dict | None = None, **ctx: object) -> pd.DataFrame:
    node = TableReader("r", {"connection": "ro_account", **config})
    return (await node.arun({}, db.ctx(params, **ctx)))["out"]


async def test_whole_table_matches_read_sql(db: Db) -> None:
    table = await _seed(db)
    expected = await db.read_sql(f"SELECT * FROM {db.q(table)}")
    assert_frame_equal(await _read(db, {"table": table}), expected)


async def test_columns_where_order_limit_match_pandas(db: Db) -> None:
    table = await _seed(db)
    full = await _read(db, {"table": table})
    out = await _read(
        db,
        {
            "table": table,
            "columns": ["고객 이름", "amount"],
            "where": "amount >= @low and region in ('KR', 'JP') and not_null(`고객 이름`)",
            "order_by": [{"column": "amount", "ascending": False}],
            "limit": 2,
        },
        {"low": 1.5},
    )
    keep = (full["amount"] >= 1.5) & full["region"].isin(["KR", "JP"]) & full["고객 이름"].notna()
    expected = (
        full[keep]
        .sort_values("amount", ascending=False)[["고객 이름", "amount"]]
        .head(2)
        .reset_index(drop=True)
    )
    assert_frame_equal(out, expected)


async def test_nulls_sort_last_both_ways_like_pandas(db: Db) -> None:
    table = await _seed(db)
    full = await _read(db, {"table": table})
    for ascending in (True, False):
        out = await _read(
            db, {"table": table, "order_by": [{"column": "amount", "ascending": ascending}]}
        )
        expected = full.sort_values("amount", ascending=ascending, na_position="last")
        assert_frame_equal(out, expected.reset_index(drop=True))


async def test_null_comparisons_leave_the_filter(db: Db) -> None:
    table = await _seed(db)
    full = await _read(db, {"table": table})
    out = await _read(db, {"table": table, "where": "region != 'KR' or is_null(amount)"})
    # Null != 'KR' is null (the row leaves) as in the expression language, unlike pandas' !=.
    keep = (full["region"].notna() & (full["region"] != "KR")) | full["amount"].isna()
    assert_frame_equal(out, full[keep].reset_index(drop=True))


async def test_empty_table_and_no_match(db: Db) -> None:
    table = await _seed(db, ROWS.iloc[:0])
    empty = await _read(db, {"table": table})
    assert list(empty.columns) == list(ROWS.columns) and len(empty) == 0
    table = await _seed(db)
    none = await _read(db, {"table": table, "where": "id > 100"})
    assert list(none.columns) == list(ROWS.columns) and len(none) == 0


async def test_preview_row_limit_caps_the_read(db: Db) -> None:
    table = await _seed(db)
    node = TableReader("r", {"connection": "ro", "table": table, "order_by": "id", "limit": 5})
    ctx = NodeContext(row_limit=2, services={"connections": db.conns})
    assert (await node.arun({}, ctx))["out"]["id"].tolist() == [1, 2]


async def test_hostile_values_and_names_are_harmless(db: Db) -> None:
    table = await _seed(db)
    before = await db.read_sql(f"SELECT * FROM {db.q(table)}")
    out = await _read(
        db, {"table": table, "where": "`고객 이름` == @name"}, {"name": "x' OR '1'='1"}
    )
    assert len(out) == 0
    out = await _read(db, {"table": table, "where": "`고객 이름` == @name"}, {"name": "O'Brien"})
    assert out["id"].tolist() == [3]
    for hostile in (
        f"{table}; DROP TABLE {table}; --",
        f'{table}"; DROP TABLE "{table}',
        f"{table}`",
    ):
        with pytest.raises(NodeError, match="connection 'ro_account': "):
            await _read(db, {"table": hostile})
    with pytest.raises(NodeError, match="connection 'ro_account': "):
        await _read(db, {"table": table, "columns": ["id); DROP TABLE x; --"]})
    assert_frame_equal(await db.read_sql(f"SELECT * FROM {db.q(table)}"), before)


async def test_schema_and_odd_table_names_postgres(pg: Db) -> None:
    schema, table = "Sales Ü", 'Orders "2024" 주문'
    await pg.execute(
        'CREATE SCHEMA IF NOT EXISTS "Sales Ü"',
        'CREATE TABLE "Sales Ü"."Orders ""2024"" 주문" (id INTEGER, "Amount" NUMERIC(10, 2))',
        'INSERT INTO "Sales Ü"."Orders ""2024"" 주문" VALUES (1, 2.50), (2, NULL)',
    )
    out = await TableReader(
        "r", {"connection": "rw", "schema": schema, "table": table, "order_by": "id"}
    ).arun({}, pg.ctx())
    assert_frame_equal(out["out"], pd.DataFrame({"id": [1, 2], "Amount": [2.5, None]}))


async def test_missing_table_and_column_errors_name_them(db: Db) -> None:
    with pytest.raises(NodeError, match=r"connection 'ro_account': .*nope"):
        await _read(db, {"table": "nope"})
    table = await _seed(db)
    with pytest.raises(NodeError, match=r"connection 'ro_account': .*missing_col"):
        await _read(db, {"table": table, "where": "missing_col == 1"})


def test_config_errors() -> None:
    with pytest.raises(Exception, match="where: 'amount \\+ 1' cannot run in the database"):
        TableReader("r", {"connection": "c", "table": "t", "where": "amount + 1 > 2"})
    with pytest.raises(Exception, match="limit"):
        TableReader("r", {"connection": "c", "table": "t", "limit": -1})
    node = TableReader("r", {"connection": "c", "table": "t", "where": "a == @x or b in @ys"})
    assert node.parameter_refs()["where"] == {"x", "ys"}


async def test_no_connections_service() -> None:
    node = TableReader("r", {"connection": "c", "table": "t"})
    with pytest.raises(NodeError, match=r"^connection: no connections are configured"):
        await node.arun({}, NodeContext())

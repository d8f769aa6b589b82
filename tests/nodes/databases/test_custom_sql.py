"""custom_sql against real PostgreSQL and MariaDB: binding, one statement, read-only, timeouts."""

from __future__ import annotations

import asyncio

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import NodeError
from nodes.databases.custom_sql import CustomSql
from tests.nodes.databases.dbkit import Db, unique


async def _customers(db: Db) -> str:
    table = unique("customers")
    await db.execute(
        f"CREATE TABLE {db.q(table)} (id INTEGER PRIMARY KEY, name VARCHAR(40), grade VARCHAR(5))",
        f"INSERT INTO {db.q(table)} VALUES (1, 'Kim', 'A'), (2, 'O''Brien', 'B'), "
        # sa.text() would take :grade for a parameter even inside quotes; \: escapes it.
        "(3, 'Lee', NULL), (4, '\\:grade', 'A')",
    )
    return table


async def _run(db: Db, sql: str, params: dict | None = None, name: str = "ro", **config: object):
    node = CustomSql("q", {"connection": name, "sql": sql, **config})
    return (await node.arun({}, db.ctx(params)))["out"]


async def test_params_are_bound_and_match_pandas(db: Db) -> None:
    table = await _customers(db)
    sql = (
        f"SELECT id, name FROM {db.q(table)} WHERE grade = :grade AND id IN :ids "
        "AND name <> ':grade' ORDER BY id"
    )
    out = await _run(db, sql, {"grade": "A", "ids": [1, 2, 4], "unused": 1})
    full = await db.read_sql(f"SELECT * FROM {db.q(table)} ORDER BY id")
    keep = (full["grade"] == "A") & full["id"].isin([1, 2, 4]) & (full["name"] != ":grade")
    assert_frame_equal(out, full.loc[keep, ["id", "name"]].reset_index(drop=True))


async def test_injection_through_parameters_returns_data_unchanged(db: Db) -> None:
    table = await _customers(db)
    before = await db.read_sql(f"SELECT * FROM {db.q(table)} ORDER BY id")
    sql = f"SELECT id FROM {db.q(table)} WHERE name = :name"
    for hostile in ("' OR '1'='1", "x'; DROP TABLE customers; --", "O''Brien", "\\'; SELECT 1; --"):
        assert len(await _run(db, sql, {"name": hostile}, name="rw")) == 0
    assert (await _run(db, sql, {"name": "O'Brien"}))["id"].tolist() == [2]
    assert_frame_equal(await db.read_sql(f"SELECT * FROM {db.q(table)} ORDER BY id"), before)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1; SELECT 2",
        "SELECT 1; DROP TABLE {t}",
        "SELECT 'a\\'; DELETE FROM {t}; -- '",
        "SELECT 1 -- a\n; DELETE FROM {t}",
    ],
)
async def test_a_second_statement_is_refused_even_when_writable(db: Db, sql: str) -> None:
    table = await _customers(db)
    with pytest.raises(NodeError, match="sql: only one statement is allowed"):
        await _run(db, sql.format(t=db.q(table)), name="rw")
    assert len(await db.read_sql(f"SELECT * FROM {db.q(table)}")) == 4


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM {t}",
        "UPDATE {t} SET grade = 'Z'",
        "WITH gone AS (DELETE FROM {t} RETURNING id) SELECT * FROM gone",
        "SELECT * FROM {t} FOR UPDATE",
        "CREATE TABLE x AS SELECT * FROM {t}",
    ],
)
async def test_read_only_connection_refuses_non_select(db: Db, sql: str) -> None:
    table = await _customers(db)
    with pytest.raises(NodeError, match="sql: connection 'ro' is read_only, so only one SELECT"):
        await _run(db, sql.format(t=db.q(table)))


async def test_the_database_refuses_a_write_hidden_in_a_select(db: Db) -> None:
    """A SELECT that writes (through a function) passes the text check; the session stops it."""
    table = await _customers(db)
    fn = unique("wipe")
    if db.dialect == "postgresql":
        await db.execute(
            f"CREATE FUNCTION {fn}() RETURNS integer LANGUAGE sql AS "
            f"$$ DELETE FROM {db.q(table)}; SELECT 1 $$"
        )
    else:
        await db.execute(
            f"CREATE FUNCTION {fn}() RETURNS INTEGER MODIFIES SQL DATA "
            f"BEGIN DELETE FROM {db.q(table)}; RETURN 1; END"
        )
    with pytest.raises(
        NodeError, match="connection 'ro' is read-only: the database refused a write"
    ):
        await _run(db, f"SELECT {fn}() AS x")
    assert len(await db.read_sql(f"SELECT * FROM {db.q(table)}")) == 4


async def test_statement_timeout_gives_a_clear_error(db: Db) -> None:
    sleep = "SELECT pg_sleep(5) AS x" if db.dialect == "postgresql" else "SELECT SLEEP(5) AS x"
    started = asyncio.get_running_loop().time()
    with pytest.raises(NodeError) as info:
        await _run(db, sleep, timeout_s=0.4)
    assert info.value.message.startswith("connection 'ro': statement timed out after 0.4s")
    assert asyncio.get_running_loop().time() - started < 4


async def test_writable_connection_runs_and_commits_a_write(db: Db) -> None:
    table = await _customers(db)
    sql = f"UPDATE {db.q(table)} SET grade = :g WHERE id = :id"
    out = await _run(db, sql, {"g": "Z", "id": 3}, name="rw")
    assert_frame_equal(out, pd.DataFrame({"rows_affected": [1]}))
    grades = await db.read_sql(f"SELECT grade FROM {db.q(table)} WHERE id = 3")
    assert grades["grade"].tolist() == ["Z"]


async def test_unknown_parameter_and_refs(db: Db) -> None:
    node = CustomSql("q", {"connection": "ro", "sql": "SELECT :a AS a, ':b' AS b -- :c"})
    assert node.parameter_refs() == {"sql": {"a"}}
    with pytest.raises(NodeError, match=r"sql: parameter :a is not a flow parameter \(have: z\)"):
        await node.arun({}, db.ctx({"z": 1}))


async def test_preview_row_limit(db: Db) -> None:
    table = await _customers(db)
    node = CustomSql("q", {"connection": "ro", "sql": f"SELECT id FROM {db.q(table)} ORDER BY id"})
    ctx = db.ctx()
    ctx.row_limit = 2
    assert (await node.arun({}, ctx))["out"]["id"].tolist() == [1, 2]

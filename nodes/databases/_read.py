"""Reading tables into DataFrames: the SELECT that table_reader and supabase_reader build.

Rows become a DataFrame the way ``pandas.read_sql`` builds one (``from_records`` with
``coerce_float``), so a table read here and one read with pandas over the same driver agree.

A SELECT whose columns need no SQLAlchemy result processing (table_reader's, the search's)
runs on the driver connection of the same session (same transaction, so the read-only mode and
statement timeout hold): asyncpg through a cursor fetched ``CHUNK_ROWS`` at a time, aiomysql
through its cursor. That skips SQLAlchemy's per-row ``Row`` objects, which cost as much as the
wire itself on a large table; the SQL and the bound values are the ones SQLAlchemy compiled.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import pandas as pd
import pymysql
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from nodes.fields import SortKey
from nodes.sql import check_identifier, order_by_clauses, sql_column, sql_table
from nodes.sql_conditions import SqlCondition

__all__ = [
    "CHUNK_ROWS",
    "DRIVER_ERRORS",
    "effective_limit",
    "fetch_frame",
    "frame_from_result",
    "select_rows",
]

CHUNK_ROWS = 50_000  # rows per asyncpg cursor fetch: one round trip each, bounded memory
_RAW_DRIVERS = frozenset({"asyncpg", "aiomysql"})
# aiomysql raises pymysql's exceptions.
DRIVER_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, pymysql.err.MySQLError)


def select_rows(
    dialect: str,
    *,
    table: str,
    schema: str | None,
    columns: Sequence[str],
    condition: SqlCondition | None,
    params: Mapping[str, Any],
    order_by: Sequence[SortKey],
    limit: int | None,
    offset: int | None = None,
) -> sa.Select[Any]:
    """``SELECT columns FROM schema.table WHERE … ORDER BY … LIMIT …`` with quoted names."""
    check_identifier(table, dialect, field="table")
    if schema is not None:
        check_identifier(schema, dialect, field="schema")
    for name in columns:
        check_identifier(name, dialect, field="columns")
    for key in order_by:
        check_identifier(key.column, dialect, field="order_by")
    source = sql_table(table, schema)
    picked = [sql_column(c) for c in columns] or [sa.literal_column("*")]
    stmt = sa.select(*picked).select_from(source)
    if condition is not None:
        for name in condition.columns:
            check_identifier(name, dialect, field="where")
        stmt = stmt.where(condition.build(params))
    if order_by:
        stmt = stmt.order_by(*order_by_clauses(dialect, order_by))
    if limit is not None:
        stmt = stmt.limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    return stmt


async def fetch_frame(
    conn: AsyncConnection, stmt: sa.Executable, *, max_rows: int | None = None
) -> pd.DataFrame:
    """Run ``stmt`` and build a DataFrame from its rows (at most ``max_rows``)."""
    raw = _driver_statement(conn, stmt)
    if raw is None:
        return frame_from_result(await conn.execute(stmt), max_rows=max_rows)
    sql, args = raw
    driver = (await conn.get_raw_connection()).driver_connection
    try:
        if conn.dialect.driver == "asyncpg":
            keys, rows = await _asyncpg_rows(driver, sql, args, max_rows)
        else:
            keys, rows = await _aiomysql_rows(driver, sql, args, max_rows)
    except DRIVER_ERRORS as exc:
        # Wrapped as SQLAlchemy wraps them, so sessions turn them into the same NodeErrors.
        raise sa.exc.DBAPIError(sql, None, exc) from exc
    return pd.DataFrame.from_records(rows, columns=keys, coerce_float=True)


def _driver_statement(conn: AsyncConnection, stmt: sa.Executable) -> tuple[str, list[Any]] | None:
    """``stmt`` as the driver's SQL and positional values; None when SQLAlchemy must run it
    (another driver, or a column type whose values SQLAlchemy converts)."""
    dialect = conn.dialect
    if dialect.driver not in _RAW_DRIVERS or not isinstance(stmt, sa.Select):
        return None
    for column in stmt.selected_columns:
        if column.type.dialect_impl(dialect).result_processor(dialect, None) is not None:
            return None
    # The expanded state: IN lists as one placeholder per value, with the bind processors
    # SQLAlchemy itself would apply.
    state = stmt.compile(dialect=dialect).construct_expanded_state()
    args = []
    for name in state.positiontup or ():
        value, process = state.parameters[name], state.processors.get(name)
        args.append(process(value) if process is not None else value)
    return state.statement, args


Rows = tuple[list[str], list[Any]]


async def _asyncpg_rows(driver: Any, sql: str, args: list[Any], max_rows: int | None) -> Rows:
    # A unique statement name: behind a transaction-mode pooler another client's connection
    # may hold asyncpg's default names on the same server connection.
    prepared = await driver.prepare(sql, name=f"__maxdp_{uuid.uuid4().hex}__")
    keys = [a.name for a in prepared.get_attributes()]
    if not driver.is_in_transaction():  # a cursor needs one; sessions always have one
        records = await prepared.fetch(*args)
        return keys, list(map(tuple, records[:max_rows] if max_rows is not None else records))
    cursor = await prepared.cursor(*args)
    rows: list[tuple[Any, ...]] = []
    while max_rows is None or len(rows) < max_rows:
        want = CHUNK_ROWS if max_rows is None else min(CHUNK_ROWS, max_rows - len(rows))
        chunk = await cursor.fetch(want)
        # Records -> tuples in C (map/tuple): from_records is much slower on Record objects.
        rows.extend(map(tuple, chunk))
        if len(chunk) < want:
            break
    return keys, rows


async def _aiomysql_rows(driver: Any, sql: str, args: list[Any], max_rows: int | None) -> Rows:
    cursor = await driver.cursor()
    try:
        # Always a tuple, even empty: the compiled SQL escapes % as %%, undone by formatting.
        await cursor.execute(sql, tuple(args))
        keys = [d[0] for d in cursor.description or ()]
        rows = await cursor.fetchall() if max_rows is None else await cursor.fetchmany(max_rows)
    finally:
        await cursor.close()
    return keys, list(rows)


def frame_from_result(result: sa.CursorResult[Any], *, max_rows: int | None = None) -> pd.DataFrame:
    keys = [str(k) for k in result.keys()]  # noqa: SIM118 (a result, not a dict)
    rows = result.fetchmany(max_rows) if max_rows is not None else result.fetchall()
    result.close()
    # Plain tuples: from_records takes a much slower path for SQLAlchemy Row objects.
    data = list(map(tuple, rows))
    return pd.DataFrame.from_records(data, columns=keys, coerce_float=True)


def effective_limit(limit: int | None, row_limit: int | None) -> int | None:
    """The config's limit, lowered to the preview's row cap when there is one."""
    if row_limit is None:
        return limit
    return row_limit if limit is None else min(limit, row_limit)

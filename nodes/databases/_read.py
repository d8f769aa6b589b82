"""Reading tables into DataFrames: the SELECT that table_reader and supabase_reader build.

Rows become a DataFrame the way ``pandas.read_sql`` builds one (``from_records`` with
``coerce_float``), so a table read here and one read with pandas over the same driver agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from nodes.fields import SortKey
from nodes.sql import check_identifier, order_by_clauses, sql_column, sql_table
from nodes.sql_conditions import SqlCondition

__all__ = ["effective_limit", "fetch_frame", "frame_from_result", "select_rows"]


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
    return frame_from_result(await conn.execute(stmt), max_rows=max_rows)


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

"""Writing a DataFrame into a table in one transaction: append, replace, upsert, create.

Rows go in batches (``executemany``) inside a single write session, so a failing batch rolls
back the earlier ones and, for ``replace``, the DELETE too: the table is left as it was.
MySQL commits DDL on its own, so a table made by ``create`` there is dropped again when a
later batch fails.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Sequence
from typing import Any, Literal

import pandas as pd
import sqlalchemy as sa
from pandas.api import types as ptypes
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import quoted_name

from flows.errors import MaxDPError, NodeError
from nodes.connections import Connections
from nodes.sql import check_identifier

__all__ = ["WriteMode", "write_frame"]

WriteMode = Literal["append", "replace", "upsert", "create"]
_INSERTS = {"postgresql": postgresql.insert, "mysql": mysql.insert, "sqlite": sqlite.insert}


async def write_frame(
    conns: Connections,
    connection: str,
    df: pd.DataFrame,
    *,
    table: str,
    schema: str | None,
    mode: WriteMode,
    key_columns: Sequence[str],
    batch_size: int,
) -> pd.DataFrame:
    """Write ``df`` and return a one-row summary (table, mode, rows_written, rows_deleted)."""
    bad = next((c for c in df.columns if not isinstance(c, str)), None)
    if bad is not None:
        raise NodeError(f"in: column names must be text to write a table, got {bad!r}")
    if mode == "upsert":
        _check_keys(df, key_columns)
    made_on_mysql = False
    deleted = 0
    try:
        async with conns.session(connection, write=True) as conn:
            dialect = conn.dialect.name
            check_identifier(table, dialect, field="table")
            if schema is not None:
                check_identifier(schema, dialect, field="schema")
            for name in df.columns:
                check_identifier(name, dialect, field="in")
            exists = await conn.run_sync(lambda c: sa.inspect(c).has_table(table, schema=schema))
            where = f"{schema}.{table}" if schema else table
            if mode == "create" and exists:
                raise NodeError(
                    f"table: {where!r} already exists (mode create makes a new table; "
                    "use append, replace or upsert)"
                )
            if not exists and mode in ("append", "upsert"):
                raise NodeError(
                    f"table: {where!r} not found on connection {connection!r} "
                    "(mode create or replace makes it)"
                )
            if exists:
                target = await conn.run_sync(lambda c: _reflect(c, table, schema))
            else:
                target = _new_table(df, table, schema, dialect, key_columns)
                await conn.run_sync(target.create)
                made_on_mysql = dialect == "mysql"
            _check_columns(df, target, where, key_columns if mode == "upsert" else ())
            if mode == "replace" and exists:
                deleted = (await conn.execute(sa.delete(target))).rowcount
            stmt = _insert(dialect, target, mode, key_columns, list(df.columns))
            records = frame_records(df, stringify=_text_columns(target, df) if not exists else ())
            for start in range(0, len(records), batch_size):
                await conn.execute(stmt, records[start : start + batch_size])
    except BaseException:
        if made_on_mysql:
            await _drop_quietly(conns, connection, table, schema)
        raise
    return pd.DataFrame(
        [
            {
                "table": table,
                "mode": mode,
                "rows_written": len(df),
                "rows_deleted": max(deleted, 0),
            }
        ]
    )


def _check_keys(df: pd.DataFrame, key_columns: Sequence[str]) -> None:
    missing = [k for k in key_columns if k not in df.columns]
    if missing:
        raise NodeError(f"key_columns: column {missing[0]!r} is not in the input")
    dupes = df.duplicated(subset=list(key_columns), keep="first")
    if dupes.any():
        row = df.loc[dupes.idxmax(), list(key_columns)]
        values = ", ".join(f"{k}={_plain(row[k])!r}" for k in key_columns)
        raise NodeError(
            f"key_columns: the input holds the key ({values}) more than once; "
            "deduplicate it first (an upsert writes each key once)"
        )


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _reflect(conn: Connection, table: str, schema: str | None) -> sa.Table:
    return sa.Table(
        quoted_name(table, quote=True),
        sa.MetaData(),
        schema=quoted_name(schema, quote=True) if schema else None,
        autoload_with=conn,
    )


def _check_columns(
    df: pd.DataFrame, target: sa.Table, where: str, key_columns: Sequence[str]
) -> None:
    names = [c.name for c in target.columns]
    for col in df.columns:
        if col not in target.c:
            raise NodeError(
                f"in: column {col!r} is not in table {where!r} (table columns: {', '.join(names)})"
            )
    for key in key_columns:
        if key not in target.c:
            raise NodeError(f"key_columns: column {key!r} is not in table {where!r}")


def _insert(
    dialect: str, target: sa.Table, mode: WriteMode, keys: Sequence[str], columns: list[str]
) -> Any:
    if mode != "upsert":
        return sa.insert(target)
    insert = _INSERTS.get(dialect)
    if insert is None:
        raise NodeError(f"mode: upsert is not supported on {dialect}")
    stmt = insert(target)
    updates = [c for c in columns if c not in keys]
    if dialect == "mysql":
        # ON DUPLICATE KEY uses every unique key of the table; key_columns must be one of them.
        new = stmt.inserted
        return stmt.on_duplicate_key_update({c: new[c] for c in (updates or keys[:1])})
    index = [target.c[k] for k in keys]
    if not updates:
        return stmt.on_conflict_do_nothing(index_elements=index)
    return stmt.on_conflict_do_update(
        index_elements=index, set_={c: stmt.excluded[c] for c in updates}
    )


# -- values ---------------------------------------------------------------------------------
def frame_records(df: pd.DataFrame, *, stringify: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values, nulls (NaN, NA, NaT) as None."""
    columns = []
    for name in df.columns:
        series = df[name]
        if ptypes.is_datetime64_any_dtype(series.dtype):
            values = [None if pd.isna(v) else v.to_pydatetime() for v in series]
        else:
            values = series.tolist()
            mask = series.isna().tolist()
            values = [None if m else v for v, m in zip(values, mask, strict=True)]
        if name in stringify:
            values = [v if v is None or isinstance(v, str) else str(v) for v in values]
        columns.append(values)
    names = list(df.columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _text_columns(target: sa.Table, df: pd.DataFrame) -> list[str]:
    """Columns created as text from mixed values: their values are written as text."""
    return [c for c in df.columns if isinstance(target.c[c].type, sa.Text | sa.String)]


def _object_type(values: pd.Series) -> sa.types.TypeEngine[Any]:
    sample = values.dropna().tolist()
    if not sample:
        return sa.Text()
    kinds = {type(v) for v in sample}
    if kinds <= {bool}:
        return sa.Boolean()
    if all(isinstance(v, int) and not isinstance(v, bool) for v in sample):
        return sa.BigInteger()
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in sample):
        return sa.Double()
    if all(isinstance(v, dt.datetime) for v in sample):
        return sa.DateTime(timezone=any(v.tzinfo is not None for v in sample))
    if all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in sample):
        return sa.Date()
    if all(isinstance(v, decimal.Decimal) for v in sample):
        return sa.Numeric()
    if all(isinstance(v, dict | list) for v in sample):
        return sa.JSON()
    return sa.Text()


def _column_type(series: pd.Series) -> sa.types.TypeEngine[Any]:
    dtype = series.dtype
    if ptypes.is_bool_dtype(dtype):
        return sa.Boolean()
    if ptypes.is_integer_dtype(dtype):
        return sa.BigInteger()
    if ptypes.is_float_dtype(dtype):
        return sa.Double()
    if ptypes.is_datetime64_any_dtype(dtype):
        return sa.DateTime(timezone=getattr(dtype, "tz", None) is not None)
    if ptypes.is_string_dtype(dtype) and not ptypes.is_object_dtype(dtype):
        return sa.Text()
    return _object_type(series)


def _new_table(
    df: pd.DataFrame, table: str, schema: str | None, dialect: str, keys: Sequence[str]
) -> sa.Table:
    columns = []
    for name in df.columns:
        type_ = _column_type(df[name])
        if name in keys and dialect == "mysql" and isinstance(type_, sa.Text):
            type_ = sa.String(255)  # MySQL cannot index TEXT without a length
        columns.append(sa.Column(quoted_name(name, quote=True), type_, primary_key=name in keys))
    return sa.Table(
        quoted_name(table, quote=True),
        sa.MetaData(),
        *columns,
        schema=quoted_name(schema, quote=True) if schema else None,
    )


async def _drop_quietly(
    conns: Connections, connection: str, table: str, schema: str | None
) -> None:
    target = sa.Table(
        quoted_name(table, quote=True),
        sa.MetaData(),
        schema=quoted_name(schema, quote=True) if schema else None,
    )
    try:
        async with conns.session(connection, write=True) as conn:
            await conn.run_sync(lambda c: target.drop(c, checkfirst=True))
    except MaxDPError:
        pass  # the original error is what the user needs to see

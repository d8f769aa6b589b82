"""Writing a DataFrame into a table in one transaction: append, replace, upsert, create.

Rows go in batches (``executemany``) inside a single write session, so a failing batch rolls
back the earlier ones and, for ``replace``, the DELETE too: the table is left as it was.
MySQL commits DDL on its own, so a table made by ``create`` there is dropped again when a
later batch fails.

On PostgreSQL through asyncpg the rows go by binary ``COPY`` instead (``copy_records_to_table``
on the session's own driver connection, so inside the same transaction); an upsert COPYs into
a temporary table dropped at commit, then runs one ``INSERT … SELECT … ON CONFLICT``. On
aiomysql each ``executemany`` batch is sent as multi-row INSERTs (the driver rewrites an
``INSERT … VALUES (%s, …)`` it recognises), so there are no per-row round trips either.
"""

from __future__ import annotations

import datetime as dt
import decimal
import secrets
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
import sqlalchemy as sa
from pandas.api import types as ptypes
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import quoted_name

from flows.errors import MaxDPError, NodeError
from nodes.connections import Connections
from nodes.databases._read import DRIVER_ERRORS
from nodes.sql import check_identifier, quote_identifier

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
    use_copy: bool = True,
) -> pd.DataFrame:
    """Write ``df`` and return a one-row summary (table, mode, rows_written, rows_deleted).

    ``use_copy=False`` keeps PostgreSQL on ``executemany`` (tests compare the two paths).
    """
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
            stringify = _text_columns(target, df) if not exists else ()
            if use_copy and conn.dialect.driver == "asyncpg":
                await _copy_rows(conn, df, target, mode, key_columns, stringify)
                return _summary(table, mode, len(df), deleted)
            stmt = _insert(dialect, target, mode, key_columns, list(df.columns))
            records = frame_records(df, stringify=stringify)
            for start in range(0, len(records), batch_size):
                await conn.execute(stmt, records[start : start + batch_size])
    except BaseException:
        if made_on_mysql:
            await _drop_quietly(conns, connection, table, schema)
        raise
    return _summary(table, mode, len(df), deleted)


def _summary(table: str, mode: str, written: int, deleted: int) -> pd.DataFrame:
    row = {"table": table, "mode": mode, "rows_written": written, "rows_deleted": max(deleted, 0)}
    return pd.DataFrame([row])


async def _copy_rows(
    conn: AsyncConnection,
    df: pd.DataFrame,
    target: sa.Table,
    mode: WriteMode,
    key_columns: Sequence[str],
    stringify: Sequence[str],
) -> None:
    """Binary COPY on the session's asyncpg connection, inside the session's transaction."""
    names = list(df.columns)
    columns = frame_columns(df, stringify=stringify)
    # The values SQLAlchemy would send (its bind processors: JSON text, enums, …).
    for i, name in enumerate(names):
        process = target.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        if process is not None:
            columns[i] = [None if v is None else process(v) for v in columns[i]]
    records = list(zip(*columns, strict=True)) if names else []
    driver = (await conn.get_raw_connection()).driver_connection
    into, schema = target.name, target.schema
    if mode == "upsert":
        into, schema = f"maxdp_upsert_{secrets.token_hex(6)}", None
        like = ".".join(
            quote_identifier(conn.dialect, p) for p in (target.schema, target.name) if p
        )
        # Our own generated name and a dialect-quoted table name: no user text is spliced raw.
        await conn.execute(
            sa.text(
                f"CREATE TEMPORARY TABLE {quote_identifier(conn.dialect, into)} "
                f"(LIKE {like} INCLUDING DEFAULTS) ON COMMIT DROP"
            )
        )
    try:
        # asyncpg quotes the table, schema and column names of the COPY statement itself.
        await driver.copy_records_to_table(into, records=records, columns=names, schema_name=schema)
    except DRIVER_ERRORS as exc:
        # Wrapped as SQLAlchemy wraps driver errors, so the session names the connection.
        raise sa.exc.DBAPIError("COPY", None, exc) from exc
    if mode == "upsert":
        staged = sa.table(
            quoted_name(into, quote=True), *(sa.column(quoted_name(n, quote=True)) for n in names)
        )
        stmt = postgresql.insert(target).from_select(names, sa.select(*staged.c))
        updates = [c for c in names if c not in key_columns]
        index = [target.c[k] for k in key_columns]
        if updates:
            stmt = stmt.on_conflict_do_update(
                index_elements=index, set_={c: stmt.excluded[c] for c in updates}
            )
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=index)
        await conn.execute(stmt)


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
def frame_columns(df: pd.DataFrame, *, stringify: Sequence[str] = ()) -> list[list[Any]]:
    """Each column as a list of plain Python values, nulls (NaN, NA, NaT) as None."""
    columns = []
    for name in df.columns:
        series = df[name]
        if ptypes.is_datetime64_any_dtype(series.dtype):
            values = list(series.dt.to_pydatetime())
        else:
            values = series.tolist()
        # Only the null positions are visited: no Python work per row on null-free columns.
        for i in np.flatnonzero(series.isna().to_numpy()).tolist():
            values[i] = None
        if name in stringify:
            values = [v if v is None or isinstance(v, str) else str(v) for v in values]
        columns.append(values)
    return columns


def frame_records(df: pd.DataFrame, *, stringify: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values, nulls (NaN, NA, NaT) as None."""
    columns = frame_columns(df, stringify=stringify)
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

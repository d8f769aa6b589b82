"""Database exceptions -> ``NodeError`` messages that name the connection and say what to do.

Driver messages are kept (they name the column or constraint), cut to their first line; the
SQL text and bound values SQLAlchemy appends are dropped, and a URL is never part of a message.
"""

from __future__ import annotations

import asyncio
import socket

import sqlalchemy as sa

from flows.errors import NodeError

__all__ = ["database_error", "driver_message", "is_connect_error"]

# PostgreSQL SQLSTATEs, MySQL/MariaDB error numbers.
_PG_CANCELED = "57014"
_PG_READ_ONLY = "25006"
_MY_TIMEOUTS = {3024, 1969}  # MySQL max_execution_time, MariaDB max_statement_time
_MY_READ_ONLY = {1792}
_MY_CONNECT = {1044, 1045, 1049, 2002, 2003, 2005, 2006, 2013}
_PG_CONNECT_CLASSES = ("08", "28", "3D")  # connection, authorization, invalid catalog


def driver_message(exc: BaseException) -> str:
    """The driver's own message, first line only."""
    orig = getattr(exc, "orig", None) or exc
    inner = orig.__cause__ if orig.__cause__ is not None else orig
    args = getattr(inner, "args", ())
    if len(args) >= 2 and isinstance(args[0], int) and isinstance(args[1], str):
        text = args[1]  # pymysql: (errno, message)
    else:
        text = str(inner) or type(inner).__name__
    text = text.strip().splitlines()[0] if text.strip() else type(inner).__name__
    return text if len(text) <= 300 else text[:299] + "…"


def _codes(exc: BaseException) -> tuple[str | None, int | None]:
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None) or getattr(
        getattr(orig, "__cause__", None), "sqlstate", None
    )
    args = getattr(orig, "args", ())
    errno = args[0] if args and isinstance(args[0], int) else None
    return sqlstate, errno


def is_connect_error(exc: BaseException) -> bool:
    if isinstance(exc, OSError | socket.gaierror | asyncio.TimeoutError | ConnectionError):
        return True
    if not isinstance(exc, sa.exc.DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    sqlstate, errno = _codes(exc)
    if sqlstate and sqlstate.startswith(_PG_CONNECT_CLASSES):
        return True
    inner = getattr(getattr(exc, "orig", None), "__cause__", None)
    return errno in _MY_CONNECT or isinstance(inner, OSError | asyncio.TimeoutError)


def database_error(
    exc: BaseException, connection: str, *, timeout_s: float | None = None, connecting: bool = False
) -> NodeError:
    """A NodeError for ``exc``, raised while using ``connection``."""
    where = f"connection {connection!r}"
    message = driver_message(exc)
    sqlstate, errno = _codes(exc)
    if connecting or is_connect_error(exc):
        return NodeError(f"{where}: cannot connect to the database: {message}")
    lowered = message.lower()
    if (sqlstate == _PG_CANCELED and "timeout" in lowered) or errno in _MY_TIMEOUTS:
        limit = f" after {timeout_s:g}s" if timeout_s is not None else ""
        return NodeError(
            f"{where}: statement timed out{limit} (raise timeout_s, or the connection's "
            "statement_timeout_s, or make the query cheaper)"
        )
    if sqlstate == _PG_READ_ONLY or errno in _MY_READ_ONLY or "readonly database" in lowered:
        return NodeError(f"{where} is read-only: the database refused a write ({message})")
    return NodeError(f"{where}: {message}")

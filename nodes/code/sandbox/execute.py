"""Run one request inside the worker: compile (cached), execute under the guards, shape the result.

Errors come back as ``RunError`` with the message the node will show: ``guard: …``,
``limit: …``, or ``ZeroDivisionError: division by zero (line 4)``. No server path or stack
frame is ever part of a message.
"""

from __future__ import annotations

import errno
import re
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import pandas as pd

from flows.errors import NodeError
from nodes.code.sandbox import policy
from nodes.code.sandbox.compiler import (
    FUNCTION_NAME,
    CodeError,
    CompiledCode,
    compile_function,
    compile_script,
)
from nodes.tables import records_frame

__all__ = ["CpuLimitExceeded", "RunError", "describe_exception", "run"]

_CACHE: OrderedDict[tuple[str, str], CompiledCode] = OrderedDict()
_CACHE_SIZE = 64
_MAX_MESSAGE = 500
# Absolute paths (the server's, site-packages) never reach a message.
_PATH = re.compile(
    r"(?<![\w/])/(?:usr|home|work|opt|tmp|var|root|srv|etc|lib|proc|app)(?:/[\w.+-]+)+"
)


class RunError(Exception):
    """A failed run, with the message for the node error and whether to retire the worker."""

    def __init__(self, message: str, *, recycle: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.recycle = recycle


class CpuLimitExceeded(BaseException):
    """Raised by the worker's CPU timer; a BaseException so ``except Exception`` misses it."""


def _compiled(kind: str, source: str) -> CompiledCode:
    key = (kind, source)
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit
    compiled = compile_script(source) if kind == "script" else compile_function(source)
    _CACHE[key] = compiled
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return compiled


def _user_line(exc: BaseException) -> int | None:
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == policy.USER_FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def describe_exception(exc: BaseException, memory_mb: int) -> tuple[str, bool]:
    """``(message, recycle)`` for an exception raised while user code ran."""
    line = _user_line(exc)
    where = f" (line {line})" if line is not None else ""
    if isinstance(exc, MemoryError):
        return f"limit: memory exceeded {memory_mb} MB{where}", True
    if isinstance(exc, RecursionError):
        return f"limit: recursion depth exceeded{where}", False
    if isinstance(exc, policy.GuardViolation):
        return str(exc), True
    if isinstance(exc, OSError) and exc.errno == errno.EMFILE:
        return f"sandbox: this needs to open a file, which code nodes cannot do{where}", True
    text = _PATH.sub("<internal>", str(exc))
    if len(text) > _MAX_MESSAGE:
        text = text[:_MAX_MESSAGE] + "…"
    name = type(exc).__name__
    return (f"{name}: {text}{where}" if text else f"{name}{where}"), False


def _execute(body: Callable[[], pd.DataFrame], memory_mb: int) -> pd.DataFrame:
    state = policy.begin_run()
    try:
        frame = body()
    except CpuLimitExceeded:
        raise
    except RunError:
        if state.violation is not None:  # the refusal is the reason, not what followed it
            raise RunError(state.violation, recycle=True) from None
        raise
    except BaseException as exc:  # user code may raise anything, SystemExit included
        if state.violation is not None:
            raise RunError(state.violation, recycle=True) from None
        message, recycle = describe_exception(exc, memory_mb)
        raise RunError(message, recycle=recycle) from None
    # A refusal the code caught and ignored still fails the run.
    if state.violation is not None:
        raise RunError(state.violation, recycle=True)
    return frame


def _script_result(namespace: dict[str, Any]) -> pd.DataFrame:
    if "result" not in namespace:
        raise RunError("result: the code did not set `result`")
    value = namespace["result"]
    if isinstance(value, pd.Series):
        value = value.to_frame()
    try:
        return records_frame(value)
    except NodeError as exc:
        raise RunError(f"result: {exc.message}") from None
    except Exception as exc:  # e.g. a dict of scalars
        raise RunError(f"result: {type(exc).__name__}: {exc}") from None


def _run_script(
    compiled: CompiledCode, tables: dict[str, pd.DataFrame], params: Any
) -> pd.DataFrame:
    first = next(iter(tables.values()), None)
    namespace = policy.new_namespace({"inputs": dict(tables), "df": first, "params": params})
    exec(compiled.code, namespace)  # noqa: S102 - restricted code object, guarded namespace
    return _script_result(namespace)


def _run_apply(
    compiled: CompiledCode, table: pd.DataFrame, params: Any, options: dict[str, Any]
) -> pd.DataFrame:
    namespace = policy.new_namespace({"params": params})
    exec(compiled.code, namespace)  # noqa: S102 - restricted code object, guarded namespace
    fn = namespace[FUNCTION_NAME]
    column, target = options.get("column"), options["target"]
    values = table[column] if column is not None else None
    two = len(compiled.params) == 2
    if column is not None and not compiled.uses_row:
        mapped = values.map(fn)
    else:
        rows = pd.Series(table.to_dict("records"), index=table.index, dtype=object)
        if column is None:
            mapped = rows.map((lambda r: fn(r, r)) if two else fn)
        else:
            pairs = pd.Series(
                list(zip(values.tolist(), rows.tolist(), strict=True)),
                index=table.index,
                dtype=object,
            )
            mapped = pairs.map(lambda p: fn(p[0], p[1]))
    out = table.copy(deep=False)
    out[target] = mapped
    return out


def run(header: dict[str, Any], tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Execute one request; raises RunError (or CpuLimitExceeded from the timer)."""
    kind, source = header["kind"], header["code"]
    limits = header.get("limits", {})
    memory_mb = int(limits.get("memory_mb", 0))
    try:
        compiled = _compiled(kind, source)
    except CodeError as exc:
        raise RunError(exc.message) from None
    names = header.get("names") or [f"in{i}" for i in range(len(tables))]
    params = header.get("params") or {}
    if kind == "script":
        frame = _execute(
            lambda: _run_script(compiled, dict(zip(names, tables, strict=True)), params), memory_mb
        )
    elif kind == "apply":
        if len(tables) != 1:
            raise RunError("apply_function takes exactly one table")
        options = header.get("options") or {}
        frame = _execute(lambda: _run_apply(compiled, tables[0], params, options), memory_mb)
    else:
        raise RunError(f"unknown request kind {kind!r}")
    max_rows = limits.get("max_output_rows")
    if max_rows is not None and len(frame) > max_rows:
        raise RunError(f"limit: output has {len(frame)} rows, more than max_output_rows {max_rows}")
    return frame

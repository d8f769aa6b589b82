"""Runtime operations of the expression language: vectorised, null-aware and type-checked.

A value is either a ``pd.Series`` aligned with the input table or a plain scalar (``None`` is
null). Every operation takes the values and a short description of where each came from
("column 'amount'", "'price * 2'", "5") so a type error can name it. Scalar-with-scalar work runs
through a one-row Series, so a constant behaves exactly as a column holding it would.

>>> s = pd.Series([1.0, None, 3.0])
>>> compare(">", s, 2, "column 'x'", "2").tolist()
[False, <NA>, True]
>>> logic_not(compare("!=", s, 1, "column 'x'", "1")).tolist()
[True, <NA>, False]
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from flows.errors import NodeError

__all__ = [
    "ARITHMETIC",
    "EMPTY",
    "Env",
    "arithmetic",
    "as_bool",
    "broadcast",
    "choose",
    "compare",
    "describe",
    "is_in",
    "is_null",
    "kind",
    "logic_and",
    "logic_not",
    "logic_or",
    "lookup",
    "negate",
    "param_list",
    "param_scalar",
    "predicate_result",
    "to_mask",
    "unwrap",
]

COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "**": operator.pow,
}
# Pairs of kinds that pandas would compare as "never equal" (or fail on): refused with a message.
_INCOMPARABLE = {
    frozenset({"text", "number"}),
    frozenset({"text", "bool"}),
    frozenset({"datetime", "number"}),
    frozenset({"datetime", "bool"}),
}


# -- values ---------------------------------------------------------------------------------
def is_null(value: Any) -> bool:
    """True for a null scalar (None, NaN, NA, NaT); False for anything else, Series included."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, np.datetime64) and bool(np.isnat(value))


def kind(value: Any) -> str:
    """number, text, bool, datetime, null or other (object columns, categories, …)."""
    if isinstance(value, pd.Series):
        dtype = value.dtype
        if ptypes.is_bool_dtype(dtype):
            return "bool"
        if ptypes.is_numeric_dtype(dtype):
            return "number"
        if ptypes.is_datetime64_any_dtype(dtype):
            return "datetime"
        if not ptypes.is_object_dtype(dtype) and ptypes.is_string_dtype(dtype):
            return "text"
        return "other"
    if is_null(value):
        return "null"
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, int | float | np.number):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dt.date | np.datetime64):
        return "datetime"
    return "other"


def describe(value: Any, desc: str) -> str:
    """``desc`` with the value's type: "column 'amount' (int64)"."""
    if isinstance(value, pd.Series):
        return f"{desc} ({value.dtype})"
    return f"{desc} ({'null' if is_null(value) else type(value).__name__})"


def unwrap(series: pd.Series) -> Any:
    """The single value of a one-row Series as a plain Python scalar (null as None)."""
    value = series.iloc[0]
    if is_null(value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def broadcast(value: Any, index: pd.Index) -> pd.Series:
    if isinstance(value, pd.Series):
        return value
    return pd.Series(np.nan if value is None else value, index=index)


def _null_like(a: Any, b: Any) -> Any:
    """The result of an operation with a null operand: null, shaped like the Series operand."""
    series = a if isinstance(a, pd.Series) else b if isinstance(b, pd.Series) else None
    if series is None:
        return None
    dtype = series.dtype if kind(series) == "text" else "float64"
    return pd.Series(np.nan, index=series.index, dtype=dtype)


def _is_numpy_bool(series: pd.Series) -> bool:
    return isinstance(series.dtype, np.dtype) and series.dtype.kind == "b"


def _can_hold_null(series: pd.Series) -> bool:
    return not (isinstance(series.dtype, np.dtype) and series.dtype.kind in "iub")


def _with_nulls(result: pd.Series, *operands: Any) -> pd.Series:
    """Kleene: a comparison is null (not False) where an operand is null."""
    if not _is_numpy_bool(result):
        return result if isinstance(result.dtype, pd.BooleanDtype) else result.astype("boolean")
    mask = None
    for value in operands:
        if isinstance(value, pd.Series) and _can_hold_null(value):
            nulls = value.isna().to_numpy()
            mask = nulls if mask is None else mask | nulls
    if mask is None or not mask.any():
        return result
    return pd.Series(pd.arrays.BooleanArray(result.to_numpy(), mask), index=result.index)


def predicate_result(result: pd.Series, subject: pd.Series) -> pd.Series:
    """A text test (contains, startswith…) as bool, null where the subject is null."""
    values = result.to_numpy(dtype=bool, na_value=False)
    return _with_nulls(pd.Series(values, index=subject.index), subject)


# -- operators ------------------------------------------------------------------------------
def _run(op: Callable[[Any, Any], Any], a: Any, b: Any, failure: Callable[[], str]) -> Any:
    try:
        if isinstance(a, pd.Series) or isinstance(b, pd.Series):
            return op(a, b)
        return unwrap(op(pd.Series([a]), b))
    except (TypeError, ValueError, OverflowError) as exc:
        raise NodeError(f"{failure()}: {exc}") from exc


def compare(sym: str, a: Any, b: Any, da: str, db: str) -> Any:
    """``a <sym> b``: null when either side is null; text against numbers is refused."""
    if is_null(a) or is_null(b):
        result = _null_like(a, b)
        return None if result is None else result.astype("boolean")
    if frozenset({kind(a), kind(b)}) in _INCOMPARABLE:
        raise NodeError(f"cannot compare {describe(a, da)} with {describe(b, db)} using '{sym}'")
    result = _run(
        COMPARISONS[sym], a, b, lambda: f"cannot compare {describe(a, da)} with {describe(b, db)}"
    )
    if isinstance(result, pd.Series):
        return _with_nulls(result, a, b)
    return None if result is None else bool(result)


def _arithmetic_allowed(sym: str, ka: str, kb: str) -> bool:
    if "other" in (ka, kb):
        return True  # object columns: let pandas decide, value by value
    if ka == kb == "number":
        return True
    return (sym == "+" and ka == kb == "text") or (sym == "-" and ka == kb == "datetime")


def _as_float(value: Any) -> Any:
    if isinstance(value, pd.Series):
        if isinstance(value.dtype, np.dtype) and value.dtype.kind in "iu":
            return value.astype("float64")
        if ptypes.is_integer_dtype(value.dtype):
            return value.astype("Float64")
        return value
    return float(value) if isinstance(value, int | np.integer) else value


def arithmetic(sym: str, a: Any, b: Any, da: str, db: str) -> Any:
    """``a <sym> b`` as pandas computes it; ``**`` in floats so it can never build huge ints."""
    if is_null(a) or is_null(b):
        return _null_like(a, b)
    if not _arithmetic_allowed(sym, kind(a), kind(b)):
        raise NodeError(f"cannot apply '{sym}' to {describe(a, da)} and {describe(b, db)}")
    if sym == "**":
        a, b = _as_float(a), _as_float(b)
    return _run(
        ARITHMETIC[sym],
        a,
        b,
        lambda: f"cannot apply '{sym}' to {describe(a, da)} and {describe(b, db)}",
    )


def negate(sym: str, a: Any, da: str) -> Any:
    if is_null(a):
        return None
    if kind(a) not in ("number", "other"):
        raise NodeError(f"cannot apply unary '{sym}' to {describe(a, da)}")
    op = operator.neg if sym == "-" else operator.pos
    return _run(
        lambda x, _: op(x), a, None, lambda: f"cannot apply unary '{sym}' to {describe(a, da)}"
    )


def is_in(a: Any, values: Sequence[Any], da: str, negated: bool = False) -> Any:
    """``a in (values)``: null when ``a`` is null; nulls in the list are ignored."""
    if is_null(a):
        return None
    ka, wanted = kind(a), [v for v in values if not is_null(v)]
    if ka == "datetime":
        wanted = [pd.Timestamp(v) if isinstance(v, str | dt.date) else v for v in wanted]
    for v in wanted:
        if frozenset({ka, kind(v)}) in _INCOMPARABLE:
            raise NodeError(f"cannot compare {describe(a, da)} with {v!r} in the list after 'in'")
    series = a if isinstance(a, pd.Series) else pd.Series([a])
    result = _with_nulls(series.isin(wanted), series)
    if negated:
        result = ~result
    return result if isinstance(a, pd.Series) else unwrap(result)


# -- logic ----------------------------------------------------------------------------------
def as_bool(value: Any, desc: str) -> Any:
    """A condition: bool Series (numpy or nullable), or True/False/None."""
    if isinstance(value, pd.Series):
        dtype = value.dtype
        if _is_numpy_bool(value) or isinstance(dtype, pd.BooleanDtype):
            return value
        if ptypes.is_object_dtype(dtype) or ptypes.is_bool_dtype(dtype):
            try:
                return value.astype("boolean")
            except (TypeError, ValueError):
                pass
    elif is_null(value):
        return None
    elif isinstance(value, bool | np.bool_):
        return bool(value)
    raise NodeError(f"expected a condition (true or false), got {describe(value, desc)}")


def logic_not(a: Any) -> Any:
    if isinstance(a, pd.Series):
        return ~a
    return None if a is None else not a


def _logic(a: Any, b: Any, absorbing: bool) -> Any:
    """Kleene and (absorbing=False) / or (absorbing=True) of two conditions."""
    if not isinstance(a, pd.Series):
        a, b = b, a
    if not isinstance(a, pd.Series):
        if a is absorbing or b is absorbing:
            return absorbing
        return None if a is None or b is None else not absorbing
    if isinstance(b, pd.Series):
        return (a | b) if absorbing else (a & b)
    if b is absorbing:
        return pd.Series(absorbing, index=a.index)
    if b is None:
        nullable = a.astype("boolean")
        return (nullable | pd.NA) if absorbing else (nullable & pd.NA)
    return a


def logic_and(a: Any, b: Any) -> Any:
    return _logic(a, b, absorbing=False)


def logic_or(a: Any, b: Any) -> Any:
    return _logic(a, b, absorbing=True)


def choose(cond: Any, a: Any, b: Any, dc: str) -> Any:
    """``a if cond else b`` row by row; a null condition takes ``b`` (like SQL's CASE)."""
    cond = as_bool(cond, dc)
    if not isinstance(cond, pd.Series):
        return a if cond else b
    mask = cond.to_numpy(dtype=bool, na_value=False)
    if is_null(a) and is_null(b):
        return pd.Series(np.nan, index=cond.index)
    if is_null(a):
        return broadcast(b, cond.index).where(~mask)
    if is_null(b):
        return broadcast(a, cond.index).where(mask)
    return broadcast(a, cond.index).where(mask, broadcast(b, cond.index))


def to_mask(value: Any, index: pd.Index, desc: str) -> pd.Series:
    """A plain bool Series over ``index``: null counts as False."""
    value = as_bool(value, desc)
    if not isinstance(value, pd.Series):
        return pd.Series(bool(value), index=index, dtype=bool)
    if _is_numpy_bool(value):
        return value
    return pd.Series(value.to_numpy(dtype=bool, na_value=False), index=value.index)


# -- names and parameters -------------------------------------------------------------------
@dataclass(slots=True)
class Env:
    """What one evaluation reads: the table, the flow parameters, extra scalar names."""

    df: pd.DataFrame | None
    params: Mapping[str, Any]
    names: Mapping[str, Any] | None


EMPTY = Env(None, {}, None)


def lookup(df: pd.DataFrame | None, name: str) -> pd.Series:
    if df is None:
        raise NodeError(f"column {name!r} not found (there is no table here)")
    if name in df.columns:
        column = df[name]
    else:
        # Tables read without a header have integer labels; `0` names column 0.
        label = next((c for c in df.columns if str(c) == name), None)
        if label is None:
            shown = ", ".join(map(str, df.columns[:30])) or "none"
            more = ", …" if len(df.columns) > 30 else ""
            raise NodeError(f"column {name!r} not found (available: {shown}{more})")
        column = df[label]
    if isinstance(column, pd.DataFrame):
        raise NodeError(f"column {name!r} appears {column.shape[1]} times in the table")
    return column


def _param(env: Env, name: str) -> Any:
    try:
        value = env.params[name]
    except KeyError:
        raise NodeError(f"unknown parameter @{name}") from None
    if isinstance(value, dt.date):  # date parameters compare with datetime64 columns
        return pd.Timestamp(value)
    return value


def param_scalar(name: str) -> Callable[[Env], Any]:
    def fn(env: Env) -> Any:
        value = _param(env, name)
        if isinstance(value, list | tuple | set | frozenset | dict):
            raise NodeError(f"parameter @{name} holds a list: use it after 'in' (x in @{name})")
        return value

    return fn


def param_list(name: str) -> Callable[[Env], Any]:
    def fn(env: Env) -> Any:
        value = _param(env, name)
        if isinstance(value, dict):
            raise NodeError(f"parameter @{name} holds a mapping, not a list")
        items = value if isinstance(value, list | tuple | set | frozenset) else [value]
        return tuple(pd.Timestamp(v) if isinstance(v, dt.date) else v for v in items)

    return fn

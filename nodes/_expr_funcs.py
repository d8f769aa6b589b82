"""The functions of the expression language. ``FUNCTIONS``' keys are the whole allowlist.

Each function takes Series or scalars and works on whole columns at once. A scalar subject runs
through a one-row Series, so ``lower('A')`` and ``lower(name)`` share one code path.

>>> FUNCTIONS["substr"].impl(pd.Series(["Seoul", None]), 1, 3).tolist()
['eou', nan]
>>> FUNCTIONS["coalesce"].impl(None, pd.Series([None, 2.0]), 0).tolist()
[0.0, 2.0]
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from typing import Any

import numpy as np
import pandas as pd

from nodes._expr_eval import broadcast, choose, is_null, kind, predicate_result, unwrap

__all__ = ["FUNCTIONS", "MAX_TEXT_RESULT", "ArgError", "Function"]

MAX_TEXT_RESULT = 10_000_000  # characters in one value made by replace()


class ArgError(Exception):
    """Argument ``index`` is not what the function needs; the caller names the argument."""

    def __init__(self, index: int, expected: str) -> None:
        super().__init__(expected)
        self.index = index
        self.expected = expected


@dataclass(frozen=True)
class Function:
    impl: Callable[..., Any]
    min_args: int
    max_args: int | None  # None: any number
    # Null first argument -> null result without calling impl (most functions are strict).
    strict: bool = True
    # Reads the clock: never folded into a constant at compile time.
    volatile: bool = False


def _subject(kinds: tuple[str, ...], expected: str) -> Callable[[Callable[..., Any]], Callable]:
    """Check the first argument's kind; run a scalar through a one-row Series."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        def impl(x: Any, *rest: Any) -> Any:
            if kind(x) not in (*kinds, "other"):
                raise ArgError(0, expected)
            if isinstance(x, pd.Series):
                return fn(x, *rest)
            return unwrap(fn(pd.Series([x]), *rest))

        return impl

    return wrap


def _option(value: Any, index: int, types: type | tuple[type, ...], expected: str) -> Any:
    """An argument that must be a plain value (not a column) of ``types``."""
    if isinstance(value, pd.Series | bool | np.bool_) or not isinstance(value, types):
        raise ArgError(index, expected)
    return value


_INT = (int, np.integer)
_NUMBER = ("number",)
_TEXT = ("text",)
_DATE = ("datetime",)
_TEXT_VALUE = "a text value (not a column)"


def _ufunc(ufunc: np.ufunc) -> Callable[..., Any]:
    return _subject(_NUMBER, "a number")(lambda s: ufunc(s))


@_subject(_NUMBER, "a number")
def _round(s: pd.Series, digits: Any = 0) -> pd.Series:
    return s.round(_option(digits, 1, _INT, "a whole number of digits"))


def _text(method: str) -> Callable[..., Any]:
    return _subject(_TEXT, "text")(lambda s: getattr(s.str, method)())


def _text_test(method: str) -> Callable[..., Any]:
    @_subject(_TEXT, "text")
    def impl(s: pd.Series, part: Any) -> pd.Series:
        part = _option(part, 1, str, _TEXT_VALUE)
        kwargs = {"regex": False} if method == "contains" else {}
        return predicate_result(getattr(s.str, method)(part, **kwargs), s)

    return impl


@_subject(_TEXT, "text")
def _replace(s: pd.Series, old: Any, new: Any) -> pd.Series:
    old, new = _option(old, 1, str, _TEXT_VALUE), _option(new, 2, str, _TEXT_VALUE)
    if not old:
        raise ArgError(1, "a non-empty text value")
    if len(new) > len(old) and len(s):
        # Nested replaces multiply lengths: refuse before building a giant value.
        longest = (s.str.len() + s.str.count(re.escape(old)) * (len(new) - len(old))).max()
        if longest > MAX_TEXT_RESULT:
            limit = f"{MAX_TEXT_RESULT:,}"
            raise ValueError(f"a result would hold {int(longest):,} characters (limit {limit})")
    return s.str.replace(old, new, regex=False)


@_subject(_TEXT, "text")
def _substr(s: pd.Series, start: Any, length: Any = None) -> pd.Series:
    start = _option(start, 1, _INT, "a whole number >= 0 (0 is the first character)")
    if start < 0:
        raise ArgError(1, "a whole number >= 0 (0 is the first character)")
    if length is None:
        return s.str.slice(start)
    length = _option(length, 2, _INT, "a whole number >= 0")
    if length < 0:
        raise ArgError(2, "a whole number >= 0")
    return s.str.slice(start, start + length)


@_subject(("number", "text", "bool", "datetime"), "a value")
def _to_number(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce")


@_subject(("number", "text", "bool", "datetime"), "a value")
def _to_string(s: pd.Series) -> pd.Series:
    return s.astype("str")


@_subject(("number", "text", "datetime"), "text or a date")
def _to_date(s: pd.Series, fmt: Any = None) -> pd.Series:
    if fmt is not None:
        fmt = _option(fmt, 1, str, "a date format such as '%Y-%m-%d'")
    if kind(s) == "datetime":
        return s
    return pd.to_datetime(s, format=fmt, errors="coerce")


def _date_part(part: str) -> Callable[..., Any]:
    expected = "a date (use to_date(x) to read one from text)"
    return _subject(_DATE, expected)(lambda s: getattr(s.dt, part))


def _is_null(x: Any) -> Any:
    return x.isna() if isinstance(x, pd.Series) else is_null(x)


def _not_null(x: Any) -> Any:
    return x.notna() if isinstance(x, pd.Series) else not is_null(x)


def _coalesce(*args: Any) -> Any:
    result: Any = None
    for value in args:
        if is_null(result):
            result = value
        elif isinstance(result, pd.Series) and not is_null(value):
            nulls = result.isna()
            if not nulls.any():
                break
            result = result.where(~nulls, value)
        elif not isinstance(result, pd.Series):
            break  # a non-null scalar: nothing after it is ever used
    return result


def _rowwise(how: str) -> Callable[..., Any]:
    """min/max across the arguments, row by row, skipping nulls (like PostgreSQL LEAST/GREATEST)."""

    def impl(*args: Any) -> Any:
        series = [a for a in args if isinstance(a, pd.Series)]
        index = series[0].index if series else pd.RangeIndex(1)
        present = [a for a in args if isinstance(a, pd.Series) or not is_null(a)]
        if not present:
            return None
        # Arrays, not Series: a duplicate index must not trigger alignment.
        frame = pd.DataFrame({i: broadcast(a, index).array for i, a in enumerate(present)})
        result = pd.Series(getattr(frame, how)(axis=1).array, index=index)
        return result if series else unwrap(result)

    return impl


def _concat(*args: Any) -> Any:
    if any(is_null(a) for a in args):
        return None
    return reduce(lambda x, y: x + y, [_to_string(a) for a in args])


FUNCTIONS: dict[str, Function] = {
    "abs": Function(_subject(_NUMBER, "a number")(lambda s: s.abs()), 1, 1),
    "round": Function(_round, 1, 2),
    "floor": Function(_ufunc(np.floor), 1, 1),
    "ceil": Function(_ufunc(np.ceil), 1, 1),
    "sqrt": Function(_ufunc(np.sqrt), 1, 1),
    "log": Function(_ufunc(np.log), 1, 1),
    "exp": Function(_ufunc(np.exp), 1, 1),
    "min": Function(_rowwise("min"), 2, None, strict=False),
    "max": Function(_rowwise("max"), 2, None, strict=False),
    "coalesce": Function(_coalesce, 1, None, strict=False),
    "is_null": Function(_is_null, 1, 1, strict=False),
    "not_null": Function(_not_null, 1, 1, strict=False),
    "lower": Function(_text("lower"), 1, 1),
    "upper": Function(_text("upper"), 1, 1),
    "trim": Function(_text("strip"), 1, 1),
    "length": Function(_text("len"), 1, 1),
    "len": Function(_text("len"), 1, 1),
    "contains": Function(_text_test("contains"), 2, 2),
    "startswith": Function(_text_test("startswith"), 2, 2),
    "endswith": Function(_text_test("endswith"), 2, 2),
    "replace": Function(_replace, 3, 3),
    "concat": Function(_concat, 1, None, strict=False),
    "substr": Function(_substr, 2, 3),
    "to_number": Function(_to_number, 1, 1),
    "to_string": Function(_to_string, 1, 1),
    "to_date": Function(_to_date, 1, 2),
    "year": Function(_date_part("year"), 1, 1),
    "month": Function(_date_part("month"), 1, 1),
    "day": Function(_date_part("day"), 1, 1),
    "today": Function(lambda: pd.Timestamp.now().normalize(), 0, 0, volatile=True),
    "now": Function(lambda: pd.Timestamp.now(), 0, 0, volatile=True),
    "if_else": Function(
        lambda c, a, b: choose(c, a, b, "the condition of if_else()"), 3, 3, strict=False
    ),
}

"""The modules user code may import, as read-only namespaces that are not module objects.

``import math`` in a code node binds a ``SafeModule`` holding only the listed members: the real
module is never reachable, so ``pd.compat.os.system`` or ``np.ctypeslib`` have nothing to walk.
``pandas`` and ``numpy`` are offered the same way (as ``pd`` and ``np`` too) because nearly
every script needs ``pd.concat`` or ``np.where``.

>>> mods = build_modules(lambda fn, name: fn)
>>> mods["math"].sqrt(9.0), isinstance(mods["math"], type(__import__("math")))
(3.0, False)
>>> mods["pandas"].compat
Traceback (most recent call last):
...
nodes.code.sandbox.runstate.GuardViolation: guard: module 'pandas' has no attribute 'compat' ...
"""

from __future__ import annotations

import datetime
import decimal
import json
import math
import re
import statistics
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from nodes.code.sandbox.allowlist import MODULE_NAMES
from nodes.code.sandbox.runstate import refuse

__all__ = ["MODULE_NAMES", "SafeModule", "build_modules"]


class SafeModule:
    """A fixed namespace standing in for a module (deliberately not a ``ModuleType``)."""

    __slots__ = ("_members", "_name")

    def __init__(self, name: str, members: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_members", dict(members))

    # ``from math import sqrt`` fetches members with a plain getattr (IMPORT_FROM does not go
    # through the guard), so the namespace answers it, for listed public names only. A missing
    # public name is a refusal; ``_names`` stay plain AttributeErrors, so the interpreter's
    # fallback (``sys.modules[__name__ + "." + attr]``) finds no ``__name__`` to use.
    def __getattr__(self, attr: str) -> Any:
        name = object.__getattribute__(self, "_name")
        if not attr.startswith("_"):
            members = object.__getattribute__(self, "_members")
            if attr in members:
                return members[attr]
            refuse(f"guard: module {name!r} has no attribute {attr!r} in code nodes")
        raise AttributeError(f"module {name!r} has no attribute {attr!r} in code nodes")

    def __setattr__(self, attr: str, value: Any) -> None:
        raise AttributeError("modules are read-only in code nodes")

    def __delattr__(self, attr: str) -> None:
        raise AttributeError("modules are read-only in code nodes")

    def __repr__(self) -> str:
        return f"<module {object.__getattribute__(self, '_name')!r} (code node)>"

    def member(self, attr: str) -> tuple[bool, Any]:
        members = object.__getattribute__(self, "_members")
        return (attr in members, members.get(attr))

    def members(self) -> dict[str, Any]:
        return dict(object.__getattribute__(self, "_members"))


def _pick(module: Any, names: Iterable[str]) -> dict[str, Any]:
    # Skip names a given library version lacks instead of failing the worker start.
    return {n: getattr(module, n) for n in names if hasattr(module, n)}


_STATISTICS = """
    mean fmean geometric_mean harmonic_mean median median_low median_high median_grouped mode
    multimode quantiles pstdev pvariance stdev variance correlation covariance
    linear_regression StatisticsError
"""
_DATETIME = "date datetime time timedelta timezone MINYEAR MAXYEAR UTC"
_RE = """
    compile search match fullmatch split findall finditer sub subn escape error Match Pattern
    A ASCII I IGNORECASE M MULTILINE S DOTALL X VERBOSE U UNICODE NOFLAG
"""
_JSON = "loads dumps JSONDecodeError"
_DECIMAL = """
    Decimal InvalidOperation DivisionByZero ROUND_UP ROUND_DOWN ROUND_CEILING ROUND_FLOOR
    ROUND_HALF_UP ROUND_HALF_DOWN ROUND_HALF_EVEN ROUND_05UP
"""
# Readers (read_*), writers, options, eval, io, api, compat, plotting, testing … are absent.
_PANDAS = """
    DataFrame Series Index MultiIndex Categorical CategoricalDtype Timestamp Timedelta
    DateOffset Period Interval NA NaT NamedAgg Grouper IndexSlice
    Int8Dtype Int16Dtype Int32Dtype Int64Dtype UInt8Dtype UInt16Dtype UInt32Dtype UInt64Dtype
    Float32Dtype Float64Dtype BooleanDtype StringDtype
    concat merge merge_asof merge_ordered to_datetime to_numeric to_timedelta date_range
    bdate_range period_range timedelta_range interval_range cut qcut get_dummies
    from_dummies factorize unique isna isnull notna notnull melt wide_to_long pivot
    json_normalize infer_freq
"""
# Callable-taking pandas functions, checked like DataFrame.agg.
_PANDAS_CHECKED = ("pivot_table", "crosstab")
# No I/O (load, save, fromfile, memmap, loadtxt), no ctypeslib/lib/testing, no vectorize.
_NUMPY = """
    nan inf pi e newaxis
    abs absolute sqrt cbrt square exp exp2 expm1 log log10 log2 log1p power float_power sign
    floor ceil rint trunc round around fix clip minimum maximum fmin fmax mod fmod remainder
    divmod sin cos tan arcsin arccos arctan arctan2 sinh cosh tanh hypot degrees radians
    deg2rad rad2deg isnan isinf isfinite isnat isin where select choose piecewise
    logical_and logical_or logical_not logical_xor
    sum prod mean median std var min max amin amax ptp average percentile quantile
    nansum nanprod nanmean nanmedian nanstd nanvar nanmin nanmax nanpercentile nanquantile
    nanargmin nanargmax argmin argmax argsort sort unique cumsum cumprod diff gradient
    count_nonzero nonzero flatnonzero any all allclose isclose array_equal
    array asarray arange linspace logspace zeros ones full zeros_like ones_like full_like
    empty_like eye identity concatenate stack hstack vstack column_stack split array_split
    reshape ravel transpose repeat tile flip roll take put_along_axis take_along_axis
    searchsorted digitize histogram bincount interp cross dot outer inner matmul
    round_ floor_divide true_divide add subtract multiply divide negative reciprocal
    int8 int16 int32 int64 uint8 uint16 uint32 uint64 float16 float32 float64 bool_
    str_ datetime64 timedelta64 dtype ndarray generic number integer floating
"""


def build_modules(
    checked: Callable[[Callable[..., Any], str], Callable[..., Any]],
) -> dict[str, SafeModule]:
    """The importable namespaces; ``checked(fn, name)`` wraps callable-taking functions."""
    pandas_members = _pick(pd, _PANDAS.split())
    for name in _PANDAS_CHECKED:
        pandas_members[name] = checked(getattr(pd, name), name)
    math_members = {n: getattr(math, n) for n in dir(math) if not n.startswith("_")}
    mods = {
        "math": SafeModule("math", math_members),
        "statistics": SafeModule("statistics", _pick(statistics, _STATISTICS.split())),
        "datetime": SafeModule("datetime", _pick(datetime, _DATETIME.split())),
        "re": SafeModule("re", _pick(re, _RE.split())),
        "json": SafeModule("json", _pick(json, _JSON.split())),
        "decimal": SafeModule("decimal", _pick(decimal, _DECIMAL.split())),
        "pandas": SafeModule("pandas", pandas_members),
        "numpy": SafeModule("numpy", _pick(np, _NUMPY.split())),
    }
    assert set(mods) == set(MODULE_NAMES)
    return mods

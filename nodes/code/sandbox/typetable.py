"""Which allowlist applies to which type: instances, classes, and what may be written.

Types are looked up along the MRO, so ``DatetimeIndex`` gets the ``Index`` list and
``numpy.float64`` gets both the numpy scalar and the ``float`` lists. Accessor classes are
taken from sample objects so the tables do not depend on pandas' private module paths.

>>> "to_csv" in instance_attrs(pd.DataFrame), "sum" in instance_attrs(pd.DatetimeIndex)
(False, False)
>>> "year" in instance_attrs(pd.DatetimeIndex)
True
"""

from __future__ import annotations

import datetime
import decimal
import functools
import re

import numpy as np
import pandas as pd
import pandas.api.typing as pdt
from pandas.api.extensions import ExtensionDtype

from nodes.code.sandbox import allowlist as al

__all__ = [
    "CLASS_ATTRS",
    "GROUPED_TYPES",
    "WRITABLE_ATTRS",
    "WRITABLE_ITEMS",
    "callback_names",
    "instance_attrs",
]


def _instance_table() -> dict[type, frozenset[str]]:
    dates = pd.Series(pd.to_datetime(["2020-01-01"]))
    samples = {
        type(pd.Series(["a"]).str): al.STRING_ACCESSOR,
        type(pd.Index(["a"]).str): al.STRING_ACCESSOR,
        type(dates.dt): al.DATETIME_ACCESSOR,
        type((dates - dates).dt): al.DATETIME_ACCESSOR,
        type(pd.Series(pd.period_range("2020", periods=1)).dt): al.DATETIME_ACCESSOR,
        type(pd.Series(["a"]).astype("category").cat): al.CATEGORICAL_ACCESSOR,
    }
    window = {
        cls: al.WINDOW
        for cls in (
            pdt.Rolling,
            pdt.Window,
            pdt.Expanding,
            pdt.ExponentialMovingWindow,
            pdt.Resampler,
            pdt.RollingGroupBy,
            pdt.ExpandingGroupBy,
            pdt.ExponentialMovingWindowGroupBy,
        )
    }
    return {
        pd.DataFrame: al.DATAFRAME,
        pd.Series: al.SERIES,
        pd.Index: al.INDEX,
        pdt.DataFrameGroupBy: al.GROUPBY,
        pdt.SeriesGroupBy: al.GROUPBY,
        **window,
        **samples,
        pd.Timestamp: al.TIMESTAMP,
        pd.Timedelta: al.TIMEDELTA,
        np.ndarray: al.NDARRAY,
        np.generic: al.NUMPY_SCALAR,
        np.dtype: al.DTYPE,
        ExtensionDtype: al.DTYPE,
        str: al.STR,
        bytes: al.BYTES,
        list: al.LIST,
        dict: al.DICT,
        tuple: al.TUPLE,
        set: al.SET,
        frozenset: al.FROZENSET,
        int: al.INT,
        float: al.FLOAT,
        complex: al.COMPLEX,
        range: al.RANGE,
        slice: al.SLICE,
        type({}.keys()): al.DICT_VIEW,
        type({}.items()): al.DICT_VIEW,
        BaseException: al.EXCEPTION,
        datetime.date: al.DATE,
        datetime.datetime: al.DATETIME,
        datetime.time: al.TIME,
        datetime.timedelta: al.TIMEDELTA_PY,
        decimal.Decimal: al.DECIMAL,
        re.Match: al.MATCH,
        re.Pattern: al.PATTERN,
    }


def _class_table() -> dict[type, frozenset[str]]:
    return {
        datetime.datetime: al.DATETIME_CLASS,
        datetime.date: al.DATE_CLASS,
        datetime.time: al.TIME_CLASS,
        datetime.timedelta: al.TIMEDELTA_CLASS,
        datetime.timezone: al.TIMEZONE_CLASS,
        pd.Timestamp: al.TIMESTAMP_CLASS,
        pd.Timedelta: al.TIMEDELTA_CLASS,
        pd.DataFrame: al.DATAFRAME_CLASS,
        str: al.STR,
        bytes: frozenset({"fromhex", "maketrans"}),
        dict: frozenset({"fromkeys"}),
        int: frozenset({"from_bytes"}),
        float: frozenset({"fromhex"}),
        decimal.Decimal: frozenset({"from_float"}),
    }


_INSTANCE = _instance_table()
CLASS_ATTRS = _class_table()
_GROUPBY_TYPES = (pdt.DataFrameGroupBy, pdt.SeriesGroupBy)
GROUPED_TYPES = (
    pdt.DataFrameGroupBy,
    pdt.Rolling,
    pdt.Window,
    pdt.Expanding,
    pdt.ExponentialMovingWindow,
    pdt.Resampler,
)
_INDEXERS = tuple(
    {
        type(pd.DataFrame().loc),
        type(pd.DataFrame().iloc),
        type(pd.DataFrame().at),
        type(pd.DataFrame().iat),
    }
)
WRITABLE_ITEMS = (pd.DataFrame, pd.Series, *_INDEXERS)
WRITABLE_ATTRS: dict[type, frozenset[str]] = {
    pd.DataFrame: frozenset({"columns", "index"}),
    pd.Series: frozenset({"name", "index"}),
    pd.Index: frozenset({"name", "names"}),
}


@functools.lru_cache(maxsize=1024)  # namedtuple row types are created per call
def instance_attrs(kind: type) -> frozenset[str]:
    """Allowed attribute names on instances of ``kind`` (union over its allowlisted bases)."""
    allowed: frozenset[str] = frozenset()
    for base in kind.__mro__:
        allowed |= _INSTANCE.get(base, frozenset())
    return allowed


@functools.cache
def callback_names(kind: type) -> frozenset[str]:
    return al.GROUPBY_CALLBACK_METHODS if issubclass(kind, _GROUPBY_TYPES) else al.CALLBACK_METHODS

"""``{{variable}}`` templates: finding variables, formatting values, rendering whole columns.

A variable is any text between ``{{`` and ``}}`` without braces, spaces around it ignored:
``{{ 고객명 }}`` names the variable ``고객명``. Values are formatted for people: null is
missing, a float that holds a whole number prints without ``.0`` (an integer column with
nulls arrives as floats), timestamps print as ``2024-05-01 09:30:00``. Nothing in a template
is evaluated.

>>> template_variables("Hi {{ name }}, {{amount}} due; bye {{name}}")
['name', 'amount']
>>> import pandas as pd
>>> df = pd.DataFrame({"name": ["Ann", None], "amount": [3.0, 4.5]})
>>> mapping = {"name": "name", "amount": "amount"}
>>> text, missing = render_column("Hi {{name}}: {{amount}}", df, mapping, "keep")
>>> text.tolist(), missing
(['Hi Ann: 3', 'Hi {{name}}: 4.5'], [[], ['name']])
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from flows.errors import NodeError

__all__ = [
    "VARIABLE",
    "OnMissing",
    "format_value",
    "is_missing",
    "render_column",
    "render_text",
    "template_variables",
]

VARIABLE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
OnMissing = Literal["error", "empty", "keep"]


def template_variables(template: str) -> list[str]:
    """Variable names in order of first use, each once."""
    return list(dict.fromkeys(m.group(1) for m in VARIABLE.finditer(template)))


def is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    return isinstance(value, np.datetime64) and bool(np.isnat(value))


def format_value(value: Any) -> str:
    """A value as text for a message (missing values as the empty string)."""
    if is_missing(value):
        return ""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _text(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """The column as text, and where it is missing."""
    mask = series.isna().to_numpy(dtype=bool)
    dtype = series.dtype
    if ptypes.is_string_dtype(dtype) and not ptypes.is_object_dtype(dtype):
        text = series.fillna("")
    elif ptypes.is_integer_dtype(dtype) and not mask.any():
        text = series.astype(str)
    else:
        text = pd.Series([format_value(v) for v in series.tolist()], index=series.index)
    return text.astype("str"), mask


def render_column(
    template: str,
    df: pd.DataFrame,
    mapping: Mapping[str, str | None],
    on_missing: OnMissing,
    *,
    field: str = "template",
) -> tuple[pd.Series, list[list[str]]]:
    """Render ``template`` once per row of ``df``, column by column (no per-row parsing).

    ``mapping`` gives each variable's column; None means no such column (missing everywhere).
    Returns the texts and, per row, the variables that had no value.
    """
    index = df.index
    out = pd.Series("", index=index, dtype="str")
    names: list[str] = []
    masks: list[np.ndarray] = []
    cursor = 0
    for match in VARIABLE.finditer(template):
        out = out + template[cursor : match.start()]
        cursor = match.end()
        name = match.group(1)
        column = mapping.get(name)
        if column is None:
            text = pd.Series("", index=index, dtype="str")
            mask = np.ones(len(df), dtype=bool)
        else:
            text, mask = _text(df[column])
        if mask.any():
            if on_missing == "error":
                row = index[int(np.argmax(mask))]
                why = f"column {column!r} is null" if column is not None else "no column matches"
                raise NodeError(
                    f"{field}: variable {{{{{name}}}}} has no value in row {row!r} ({why}); "
                    "set on_missing to empty or keep to allow it"
                )
            fill = "" if on_missing == "empty" else match.group(0)
            text = text.where(~mask, fill)
        out = out + text
        if name not in names:
            names.append(name)
            masks.append(mask)
        else:
            at = names.index(name)
            masks[at] = masks[at] | mask  # not in place: mask may be a read-only view
    out = out + template[cursor:]
    return out, _missing_lists(names, masks, len(df))


def _missing_lists(names: list[str], masks: list[np.ndarray], rows: int) -> list[list[str]]:
    if not masks or not any(m.any() for m in masks):
        return [[] for _ in range(rows)]
    matrix = np.column_stack(masks)
    return [[names[j] for j in np.flatnonzero(row)] for row in matrix]


def render_text(template: str, values: Mapping[str, Any]) -> tuple[str, list[str]]:
    """Render one text from ``values``; missing variables render empty and are listed."""
    missing: list[str] = []

    def repl(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values.get(name)
        if is_missing(value):
            if name not in missing:
                missing.append(name)
            return ""
        return format_value(value)

    return VARIABLE.sub(repl, template), missing

"""Typed flow parameters: coercion of incoming values, defaults and ``required``.

Values arrive as JSON (``/execute`` bodies) or as strings (query strings, ``--param k=v``), so
strings are coerced to the declared type; anything else must already have it.

>>> from flows.model import Parameter
>>> bind_params([Parameter(name="n", type="integer", default=3)], {"n": "5"})
{'n': 5}
>>> bind_params([Parameter(name="n", type="integer", required=True)], {})
Traceback (most recent call last):
...
flows.errors.ParameterError: n: required
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from flows.errors import ParameterError
from flows.model import Parameter, ParameterType

__all__ = ["bind_params", "check_default", "coerce"]

_TRUE = {"true", "1", "yes", "y", "on"}
_FALSE = {"false", "0", "no", "n", "off"}


def coerce(kind: ParameterType, value: Any, items: ParameterType | None = None) -> Any:
    """``value`` as ``kind``; raises ValueError with a short reason."""
    if value is None:
        return None
    if kind is ParameterType.string:
        if isinstance(value, str):
            return value
        if isinstance(value, bool | int | float):
            return str(value)
        raise ValueError(f"expected a string, got {type(value).__name__}")
    if kind is ParameterType.integer:
        if isinstance(value, bool):
            raise ValueError("expected an integer, got a boolean")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                raise ValueError(f"expected an integer, got {value!r}") from None
        raise ValueError(f"expected an integer, got {value!r}")
    if kind is ParameterType.number:
        if isinstance(value, bool):
            raise ValueError("expected a number, got a boolean")
        if isinstance(value, int | float):
            result = float(value)
        elif isinstance(value, str):
            try:
                result = float(value.strip())
            except ValueError:
                raise ValueError(f"expected a number, got {value!r}") from None
        else:
            raise ValueError(f"expected a number, got {type(value).__name__}")
        if not math.isfinite(result):
            raise ValueError("expected a finite number")
        return result
    if kind is ParameterType.boolean:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"expected true or false, got {value!r}")
    if kind is ParameterType.date:
        # Timestamps compare directly with datetime64 columns and bind as SQL dates/timestamps.
        if isinstance(value, dt.date):
            return pd.Timestamp(value)
        if isinstance(value, str):
            try:
                return pd.Timestamp(dt.date.fromisoformat(value.strip()[:10]))
            except ValueError:
                raise ValueError(f"expected a date as YYYY-MM-DD, got {value!r}") from None
        raise ValueError(f"expected a date as YYYY-MM-DD, got {value!r}")
    # list
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",")] if value.strip() else []
    if not isinstance(value, Sequence) or isinstance(value, bytes):
        raise ValueError(f"expected a list, got {type(value).__name__}")
    item_kind = items or ParameterType.string
    out = []
    for i, item in enumerate(value):
        try:
            out.append(coerce(item_kind, item))
        except ValueError as exc:
            raise ValueError(f"item {i}: {exc}") from None
    return out


def check_default(param: Parameter) -> str | None:
    """Why ``param.default`` does not fit its type, or None."""
    if param.type is ParameterType.list and param.items is ParameterType.list:
        return "a list of lists is not supported"
    try:
        coerce(param.type, param.default, param.items)
    except ValueError as exc:
        return f"default: {exc}"
    return None


def bind_params(declared: Sequence[Parameter], given: Mapping[str, Any] | None) -> dict[str, Any]:
    """Coerced values for every declared parameter; one ParameterError naming every bad field."""
    given = dict(given or {})
    errors: list[dict[str, str]] = []
    bound: dict[str, Any] = {}
    for param in declared:
        if param.name in given:
            try:
                bound[param.name] = coerce(param.type, given.pop(param.name), param.items)
            except ValueError as exc:
                errors.append({"field": param.name, "message": str(exc)})
                continue
            if bound[param.name] is None and param.required:
                errors.append({"field": param.name, "message": "required"})
        elif param.required and param.default is None:
            errors.append({"field": param.name, "message": "required"})
        else:
            bound[param.name] = coerce(param.type, param.default, param.items)
    for name in given:
        declared_names = ", ".join(p.name for p in declared) or "none"
        errors.append({"field": name, "message": f"unknown parameter (declared: {declared_names})"})
    if errors:
        text = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        raise ParameterError(text, details=errors)
    return bound

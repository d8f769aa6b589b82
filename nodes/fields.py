"""Config field types shared by nodes, with the widget hints the designer renders.

A field that takes columns accepts one name or a list; ``order_by``/``by`` accepts
``{column, ascending}`` objects or plain names (ascending).

>>> from pydantic import BaseModel
>>> class C(BaseModel):
...     cols: Columns = []
...     by: OrderBy = []
>>> c = C(cols="a", by=["x", {"column": "y", "ascending": False}])
>>> c.cols, [(k.column, k.ascending) for k in c.by]
(['a'], [('x', True), ('y', False)])
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

__all__ = [
    "Columns",
    "OrderBy",
    "SortKey",
    "column_field",
    "columns_field",
    "expression_field",
]


def _as_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return value


def _as_sort_keys(value: Any) -> Any:
    value = [value] if isinstance(value, dict) else _as_list(value)
    if isinstance(value, list):
        return [{"column": v} if isinstance(v, str) else v for v in value]
    return value


class SortKey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    column: str
    ascending: bool = True


Columns = Annotated[list[str], BeforeValidator(_as_list)]
OrderBy = Annotated[list[SortKey], BeforeValidator(_as_sort_keys)]


def expression_field(default: Any = ..., description: str = "") -> Any:
    """A field in the safe expression language, compiled once when the node is built."""
    return Field(
        default, description=description, json_schema_extra={"x-maxdp-widget": "expression"}
    )


def column_field(default: Any = ..., description: str = "") -> Any:
    """One column of the input table (the designer offers the upstream columns)."""
    return Field(default, description=description, json_schema_extra={"x-maxdp-widget": "column"})


def columns_field(default: Any = ..., description: str = "") -> Any:
    """Several columns of the input table."""
    return Field(default, description=description, json_schema_extra={"x-maxdp-widget": "columns"})

"""Table mappings: a table's fields with display names, types and which ones search may use.

The server saves mappings per workspace and implements ``TableMappingStore``; flows name a
saved mapping or write one inline. The PRD's camelCase keys (``displayName``) are accepted.
``auto_map`` proposes a mapping from a table's columns (the server's "auto-map").

>>> m = TableMapping.model_validate({"table": "customers", "displayName": "고객 정보",
...     "fields": {"customer_id": {"displayName": "고객ID", "type": "number", "filterable": True},
...                "name": {"displayName": "고객명", "filterable": True}}})
>>> m.filterable_fields(), m.display_names()
(['customer_id', 'name'], {'customer_id': '고객ID', 'name': '고객명'})
>>> from nodes.connections import ColumnInfo
>>> cols = [ColumnInfo(name="customer_id", type="INTEGER", nullable=False, primary_key=True),
...         ColumnInfo(name="signup_date", type="DATE", nullable=True, primary_key=False),
...         ColumnInfo(name="email", type="VARCHAR(255)", nullable=True, primary_key=False)]
>>> for name, f in auto_map("customers", cols).fields.items():
...     print(name, f.display_name, f.type, f.filterable)
customer_id Customer id number True
signup_date Signup date date False
email Email string True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

from flows.errors import NodeError

if TYPE_CHECKING:
    from nodes.connections import ColumnInfo

__all__ = [
    "FieldMapping",
    "FieldType",
    "StaticTableMappings",
    "TableMapping",
    "TableMappingStore",
    "auto_map",
]

FieldType = Literal["string", "number", "date", "datetime", "boolean"]


class FieldMapping(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    display_name: str | None = Field(
        default=None, validation_alias=AliasChoices("display_name", "displayName")
    )
    type: FieldType = "string"
    filterable: bool = False
    description: str = ""


class TableMapping(BaseModel):
    """One mapped table: ``fields`` in display order, keyed by column name."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    table: str = Field(min_length=1)
    schema_: str | None = Field(default=None, alias="schema")
    display_name: str | None = Field(
        default=None, validation_alias=AliasChoices("display_name", "displayName")
    )
    description: str = ""
    fields: dict[str, FieldMapping] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_display_names(self) -> TableMapping:
        seen: dict[str, str] = {}
        for column, shown in self.display_names().items():
            if shown in seen:
                raise ValueError(
                    f"fields {seen[shown]!r} and {column!r} share the display name {shown!r}"
                )
            seen[shown] = column
        return self

    def filterable_fields(self) -> list[str]:
        return [name for name, f in self.fields.items() if f.filterable]

    def display_names(self) -> dict[str, str]:
        return {name: f.display_name or name for name, f in self.fields.items()}


@runtime_checkable
class TableMappingStore(Protocol):
    """Saved mappings of the run's workspace; ``get`` raises NodeError for an unknown name."""

    async def get(self, name: str) -> TableMapping: ...


class StaticTableMappings:
    """A fixed set of named mappings (tests, CLI runs)."""

    def __init__(self, mappings: Mapping[str, TableMapping] | Iterable[tuple[str, TableMapping]]):
        self._mappings = dict(mappings)

    async def get(self, name: str) -> TableMapping:
        try:
            return self._mappings[name]
        except KeyError:
            known = ", ".join(sorted(self._mappings)) or "none"
            raise NodeError(f"mapping: table mapping {name!r} not found (saved: {known})") from None


_TYPES: tuple[tuple[str, FieldType], ...] = (
    (r"BOOL|TINYINT\(1\)|\bBIT\b", "boolean"),
    (r"TIMESTAMP|DATETIME", "datetime"),
    (r"\bDATE\b", "date"),
    (r"INT|SERIAL|NUMERIC|DECIMAL|FLOAT|DOUBLE|REAL|NUMBER", "number"),
)


def _field_type(sql_type: str) -> FieldType:
    upper = sql_type.upper()
    return next((kind for pattern, kind in _TYPES if re.search(pattern, upper)), "string")


def auto_map(
    table: str, columns: Sequence[ColumnInfo], *, schema: str | None = None
) -> TableMapping:
    """A first mapping of ``table``: readable names; text columns and the key are searchable."""
    fields, used = {}, set()
    for col in columns:
        kind = _field_type(col.type)
        shown = col.name.replace("_", " ").strip().capitalize() or col.name
        shown = col.name if shown in used else shown  # display names must stay unique
        used.add(shown)
        fields[col.name] = FieldMapping(
            display_name=shown,
            type=kind,
            filterable=kind == "string" or col.primary_key,
        )
    return TableMapping(table=table, schema=schema, fields=fields)

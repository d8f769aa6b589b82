"""mapped_table_search: keyword search over the searchable fields of a mapped table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import sqlalchemy as sa
from pydantic import Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from flows.errors import NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext, Port, Renamed
from nodes.connections import connection_field, connections_from
from nodes.databases._read import effective_limit, fetch_frame
from nodes.fields import OrderBy, SortKey
from nodes.messaging.mappings import StaticTableMappings, TableMapping, TableMappingStore
from nodes.sql import check_identifier, order_by_clauses, sql_column, sql_table


class MappedTableSearchConfig(NodeConfig):
    connection: str = connection_field("mysql", "postgresql", "supabase", "sqlite")
    mapping: str | TableMapping = Field(
        description="Name of a saved table mapping, or one inline: "
        "{table, display_name, fields: {column: {display_name, type, filterable}}}."
    )
    term: str | None = Field(
        default=None, description="Keyword to search for; @name takes the flow parameter."
    )
    limit: int = Field(default=100, ge=1, le=10_000, description="Rows per page.")
    offset: int = Field(default=0, ge=0, description="Rows to skip (page * limit).")
    use_display_names: bool = Field(default=False, description="Name columns by display name.")
    order_by: OrderBy = Field(
        default=[], description="Sort keys for stable pages; default the first mapped field."
    )

    @field_validator("mapping", mode="before")
    @classmethod
    def _inline_mapping(cls, value: Any) -> Any:
        # Validate an inline mapping here, so its own error is reported (not the str branch's).
        if not isinstance(value, dict):
            return value
        try:
            return TableMapping.model_validate(value)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            message = first["msg"].removeprefix("Value error, ")
            detail = f"{loc + ': ' if loc else ''}{message}"
            raise PydanticCustomError("invalid_mapping", "{detail}", {"detail": detail}) from None


class MappedTableSearch(MaxDPNode):
    """Finds rows of a mapped table whose searchable fields contain a keyword, page by page.

    The mapping (saved by name, or inline) lists the table's fields. A text-like searchable
    field matches when it contains `term`, case-insensitively (`LIKE` with a bound pattern
    whose `%` and `_` are escaped, so they match themselves); a `number` field matches a
    numeric term exactly. An empty term returns every row. Rows come sorted (by default on
    the first field) and paged with `limit` / `offset`; `use_display_names` renames columns.

    >>> import asyncio
    >>> import pandas as pd
    >>> from nodes.connections import Connections, ConnectionSpec
    >>> from nodes.databases.table_writer import TableWriter
    >>> conns = Connections([ConnectionSpec(name="crm", kind="sqlite", database=":memory:")])
    >>> ctx = NodeContext(params={"q": "kim"}, services={"connections": conns})
    >>> people = pd.DataFrame({"customer_id": [1, 2, 3], "name": ["Kim Min", "Lee", "Akim"],
    ...                        "email": ["m@x.kr", "kim@y.kr", None]})
    >>> mapping = {"table": "customers", "fields": {
    ...     "customer_id": {"display_name": "고객ID", "type": "number", "filterable": True},
    ...     "name": {"display_name": "고객명", "filterable": True},
    ...     "email": {"display_name": "이메일", "filterable": True}}}
    >>> search = MappedTableSearch("s", {"connection": "crm", "mapping": mapping, "term": "@q",
    ...                                  "use_display_names": True})
    >>> async def demo():
    ...     await TableWriter("w", {"connection": "crm", "table": "customers",
    ...                             "mode": "create"}).arun({"in": people}, ctx)
    ...     out = (await search.arun({}, ctx))["out"]
    ...     await conns.close()
    ...     return out
    >>> asyncio.run(demo())
       고객ID      고객명       이메일
    0     1  Kim Min    m@x.kr
    1     2      Lee  kim@y.kr
    2     3     Akim       NaN
    """

    type = "mapped_table_search"
    category = "Message automation"
    title = "Mapped table search"
    inputs: ClassVar[tuple[Port, ...]] = ()
    Config = MappedTableSearchConfig
    is_async = True

    def parameter_refs(self) -> dict[str, set[str]]:
        refs = super().parameter_refs()
        term = self.config.term
        if term is not None and term.startswith("@") and not term.startswith("@@"):
            refs["term"] = {term[1:]}
        return refs

    @classmethod
    def rename_parameter(cls, config: Mapping[str, Any], old: str, new: str) -> Renamed:
        renamed = super().rename_parameter(config, old, new)
        renamed.apply("term", lambda v: f"@{new}" if v == f"@{old}" else v)
        return renamed

    async def arun(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        cfg = self.config
        mapping = await self._mapping(ctx)
        term = self._term(ctx)
        conns = connections_from(ctx)
        async with conns.session(cfg.connection) as conn:
            dialect = conn.dialect.name
            stmt = _search(dialect, mapping, term, cfg.order_by)
            limit = effective_limit(cfg.limit, ctx.row_limit)
            frame = await fetch_frame(conn, stmt.limit(limit).offset(cfg.offset or None))
        if cfg.use_display_names:
            frame = frame.rename(columns=mapping.display_names())
        return {"out": frame}

    async def _mapping(self, ctx: NodeContext) -> TableMapping:
        mapping = self.config.mapping
        if isinstance(mapping, TableMapping):
            return mapping
        store = ctx.services.get("table_mappings")
        if store is None:
            raise NodeError(
                f"mapping: {mapping!r} names a saved table mapping, but none are available "
                "here (write the mapping inline, or run the flow on the server)"
            )
        if isinstance(store, Mapping):  # a plain {name: TableMapping} (a dict has .get too)
            store = StaticTableMappings(store)
        elif not isinstance(store, TableMappingStore):
            raise NodeError("mapping: the 'table_mappings' service has no get(name)")
        return await store.get(mapping)

    def _term(self, ctx: NodeContext) -> str:
        term = self.config.term
        if term is None:
            return ""
        if term.startswith("@@"):
            return term[1:]  # "@@x" searches for the text "@x"
        if term.startswith("@"):
            name = term[1:]
            if name not in ctx.params:
                raise NodeError(f"term: parameter @{name} has no value")
            value = ctx.params[name]
            return "" if value is None else str(value)
        return term


def _search(
    dialect: str, mapping: TableMapping, term: str, order_by: list[SortKey]
) -> sa.Select[Any]:
    check_identifier(mapping.table, dialect, field="mapping")
    if mapping.schema_:
        check_identifier(mapping.schema_, dialect, field="mapping")
    for name in mapping.fields:
        check_identifier(name, dialect, field="mapping")
    stmt = sa.select(*(sql_column(c) for c in mapping.fields)).select_from(
        sql_table(mapping.table, mapping.schema_)
    )
    term = term.strip()
    if term:
        searchable = mapping.filterable_fields()
        if not searchable:
            raise NodeError("mapping: no field is filterable; mark at least one to search it")
        conditions = []
        for name in searchable:
            kind, col = mapping.fields[name].type, sql_column(name)
            if kind == "number":
                number = _number(term)
                if number is not None:
                    conditions.append(col == sa.bindparam("maxdp_number", number, unique=True))
            else:
                subject = col if kind == "string" else sa.cast(col, sa.String)
                conditions.append(subject.icontains(term, autoescape=True))
        stmt = stmt.where(sa.or_(*conditions) if conditions else sa.false())
    keys = order_by or [SortKey(column=next(iter(mapping.fields)))]
    return stmt.order_by(*order_by_clauses(dialect, keys))


def _number(text: str) -> int | float | None:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None

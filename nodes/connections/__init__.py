"""Named connections for database and HTTP nodes: specs, stores, engines and sessions.

Flows name connections; credentials live in the server's ``maxdp_connections`` table or, for
offline CLI runs, in a YAML file. Nodes get the ``Connections`` service from
``ctx.services["connections"]``.

>>> import asyncio
>>> import sqlalchemy as sa
>>> conns = Connections([ConnectionSpec(name="local", kind="sqlite", database=":memory:")])
>>> async def demo():
...     async with conns.session("local") as conn:
...         value = (await conn.execute(sa.text("SELECT 1 + 1"))).scalar_one()
...     await conns.close()
...     return value
>>> asyncio.run(demo())
2
"""

from nodes.connections.errors import database_error
from nodes.connections.introspect import AccountInfo, ColumnInfo, TableInfo
from nodes.connections.service import NO_CONNECTIONS, Connections, connections_from
from nodes.connections.spec import SQL_KINDS, ConnectionKind, ConnectionSpec
from nodes.connections.store import (
    ConnectionStore,
    StaticConnectionStore,
    load_connections_file,
    parse_connections,
)

__all__ = [
    "NO_CONNECTIONS",
    "SQL_KINDS",
    "AccountInfo",
    "ColumnInfo",
    "ConnectionKind",
    "ConnectionSpec",
    "ConnectionStore",
    "Connections",
    "StaticConnectionStore",
    "TableInfo",
    "connection_field",
    "connections_from",
    "database_error",
    "load_connections_file",
    "parse_connections",
]


def connection_field(*kinds: str, description: str = "Name of a configured connection.") -> object:
    """A config field naming a connection; the designer offers connections of ``kinds``."""
    from pydantic import Field

    return Field(
        ...,
        min_length=1,
        description=description,
        json_schema_extra={"x-maxdp-widget": "connection", "x-maxdp-connection-kinds": list(kinds)},
    )

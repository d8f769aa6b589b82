"""supabase_reader: rows of a Supabase (PostgreSQL) table, read through its pooler."""

from __future__ import annotations

from pydantic import Field

from nodes.connections import connection_field
from nodes.databases.table_reader import TableReader, TableReaderConfig


class SupabaseReaderConfig(TableReaderConfig):
    connection: str = connection_field(
        "supabase", "postgresql", description="A Supabase connection: its PostgreSQL DSN."
    )
    schema_: str | None = Field(default=None, alias="schema", description="Default: public.")


class SupabaseReader(TableReader):
    """Reads a table of the platform's Supabase database: table_reader over PostgreSQL.

    A Supabase connection is the project's PostgreSQL DSN, direct (port 5432) or through
    Supabase's transaction-mode pooler (port 6543). Through the pooler the connection keeps
    no server-side statement cache and sets read-only mode and the timeout per transaction,
    so nothing leaks between pooled sessions. `where` runs in the database.

    >>> node = SupabaseReader("templates", {"connection": "platform", "table": "message_templates",
    ...                                     "columns": ["name", "content"],
    ...                                     "where": "usage_count > 10", "limit": 50})
    >>> node.category, sorted(node.parameter_refs()["where"])
    ('Message automation', [])
    """

    type = "supabase_reader"
    category = "Message automation"
    title = "Supabase reader"
    Config = SupabaseReaderConfig

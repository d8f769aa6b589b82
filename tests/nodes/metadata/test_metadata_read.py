"""metadata_read returns each metadata table as pandas.read_sql would, in a stable order."""

from __future__ import annotations

import pytest
from pandas.testing import assert_frame_equal

from flows.errors import NodeError
from nodes.metadata.metadata_init import MetadataInit
from nodes.metadata.metadata_introspect import MetadataIntrospect
from nodes.metadata.metadata_read import MetadataRead
from tests.nodes.metadata.metakit import read_sql, run

ORDER = {
    "tables": ("mappings_table", "schema_name, table_name"),
    "columns": ("mappings_column", "schema_name, table_name, sort_order, id"),
    "relations": ("mappings_relation", "id"),
    "project": ("project", "id"),
    "api_endpoints": ("mappings_api_endpoint", "endpoint_name"),
    "sync_log": ("metadata_sync_log", "id"),
}


@pytest.mark.parametrize("what", list(ORDER))
async def test_read_equals_read_sql(env, what):
    project = {"project_id": "p", "project_name": "P", "root_path": "/p", "tags": ["a", "ü"]}
    await run(
        MetadataInit(
            "i", {"connection": "pg", "schema": env.meta, "project": project, "extensions": False}
        ),
        env.ctx(),
    )
    await run(
        MetadataIntrospect(
            "s", {"source": "pg", "schemas": [env.shop], "metadata_schema": env.meta}
        ),
        env.ctx(),
    )
    out = await run(
        MetadataRead("r", {"connection": "pg", "schema": env.meta, "what": what}), env.ctx()
    )
    table, order = ORDER[what]
    expected = await read_sql(
        env.conns, "pg", f'SELECT * FROM "{env.meta}".{table} ORDER BY {order}'
    )
    assert_frame_equal(out, expected)
    sizes = {
        "tables": 5,
        "columns": 28,
        "relations": 10,
        "project": 1,
        "api_endpoints": 0,
        "sync_log": 44,
    }  # 43 mappings rows and the project row
    assert len(out) == sizes[what]
    if what == "project":
        assert out.loc[0, "tags"] == ["a", "ü"] and out.loc[0, "template"] == "BASIC"


async def test_read_errors_name_the_field(env, my_env):
    node = MetadataRead("r", {"connection": "pg", "schema": env.meta})
    with pytest.raises(
        NodeError,
        match=rf"^schema: schema '{env.meta}' on connection 'pg' has "
        r"no mappings_column, .*; run metadata_init on it first$",
    ):
        await run(node, env.ctx())
    with pytest.raises(
        NodeError,
        match=r"^connection: metadata_read needs a PostgreSQL "
        r"connection, and 'my' is a mysql connection",
    ):
        await run(MetadataRead("r", {"connection": "my"}), my_env.ctx())

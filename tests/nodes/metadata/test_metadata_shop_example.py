"""flows/examples/metadata_shop.json end to end on a fresh PostgreSQL database."""

from __future__ import annotations

import graphql

from tests.nodes.metadata.metakit import pg_fetch
from tests.nodes.metadata.shopkit import check_metadata_shop


async def test_metadata_shop_example(empty_pg, tmp_path):
    first, _second = await check_metadata_shop(empty_pg, tmp_path)
    sdl = (tmp_path / "out/metadata_shop/graphql/schema.graphql").read_text(encoding="utf-8")
    schema = graphql.build_schema(sdl)
    assert str(schema.type_map["Order"].fields["products"].type) == "[Product!]!"
    project = await pg_fetch(
        empty_pg.url,
        "SELECT project_id, template::text, status::text, tech_stack FROM _metadata.project",
    )
    assert [(p["project_id"], p["template"], p["status"]) for p in project] == [
        ("shop", "ECOMMERCE", "DEVELOPMENT")
    ]
    # Every node ran, in order: init, then introspect, then codegen.
    runs = {n.node_id: n for n in first.nodes}
    assert {n.status for n in runs.values()} == {"succeeded"}
    assert runs["init"].finished_at <= runs["introspect"].started_at
    assert runs["introspect"].finished_at <= runs["codegen"].started_at

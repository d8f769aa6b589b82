"""The example flow flows/examples/metadata_shop.json, run end to end on a fresh PostgreSQL
database (shared by this folder's test and by tests/flows/test_examples.py)."""

from __future__ import annotations

import json
from pathlib import Path

from pandas.testing import assert_frame_equal

from flows.executor import FlowExecutor
from flows.records import RunResult
from tests.nodes.databases.dbkit import Server
from tests.nodes.metadata.metakit import PG_SHOP, connections, pg_script, registry

EXAMPLE = Path(__file__).resolve().parents[3] / "flows" / "examples" / "metadata_shop.json"
SHOP_TABLES = ["order_items", "orders", "products", "user_profiles", "users"]
SHOP_COLUMNS = 28  # 4 + 5 + 8 + 4 + 7, counted in shop_schema.sql
SHOP_RELATIONS = 10  # 4 foreign keys both ways, and orders <-> products through order_items


async def run_example(server: Server, data_dir: Path) -> RunResult:
    """Run the example against ``server`` as the connection ``shop``."""
    conns = connections(shop=server.url)
    try:
        doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
        executor = FlowExecutor(
            doc, registry=registry(), data_dir=data_dir, services={"connections": conns}
        )
        return await executor.run()
    finally:
        await conns.close()


async def check_metadata_shop(server: Server, data_dir: Path) -> tuple[RunResult, RunResult]:
    """Load the shop, run the example twice; check the outputs and the written files."""
    await pg_script(server.url, PG_SHOP)
    first = await run_example(server, data_dir)
    assert first.status == "succeeded", first.error
    objects = first.outputs["objects"]
    assert set(objects["action"]) == {"created"}
    assert objects["kind"].value_counts().to_dict() == {
        "index": 9,
        "table": 6,
        "type": 4,
        "trigger": 3,
        "extension": 2,
        "schema": 1,
        "function": 1,
        "row": 1,
    }
    sync = first.outputs["sync"]
    assert set(sync["action"]) == {"inserted"}
    assert sync["kind"].value_counts().to_dict() == {
        "column": SHOP_COLUMNS,
        "relation": SHOP_RELATIONS,
        "table": len(SHOP_TABLES),
    }
    artifacts = first.outputs["artifacts"]
    prefix = "out/metadata_shop"
    expected = (
        [f"{prefix}/ddl/public.{t}.sql" for t in SHOP_TABLES]
        + [
            f"{prefix}/ddl/schema.sql",
            f"{prefix}/graphql/schema.graphql",
            f"{prefix}/typescript/types.ts",
            f"{prefix}/pydantic/models.py",
        ]
        + [f"{prefix}/json_schema/public.{t}.schema.json" for t in SHOP_TABLES]
    )
    assert artifacts["path"].tolist() == expected
    for path, content in zip(artifacts["path"], artifacts["content"]):
        assert (data_dir / path).read_text(encoding="utf-8") == content

    second = await run_example(server, data_dir)
    assert second.status == "succeeded", second.error
    assert set(second.outputs["objects"]["action"]) == {"exists"}
    assert set(second.outputs["sync"]["action"]) == {"unchanged"}
    assert_frame_equal(second.outputs["artifacts"], artifacts)
    assert_frame_equal(second.outputs["sync"].drop(columns="action"), sync.drop(columns="action"))
    return first, second

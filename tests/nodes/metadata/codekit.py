"""Helpers of the code generation tests: the shop introspected, artifacts generated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from nodes.metadata.metadata_codegen import MetadataCodegen
from nodes.metadata.metadata_init import MetadataInit
from nodes.metadata.metadata_introspect import MetadataIntrospect
from tests.nodes.metadata.metakit import pg_script, run

TSC = Path(__file__).resolve().parents[3] / "max_dp_designer" / "node_modules" / ".bin" / "tsc"
ODD_TABLE = (
    'CREATE TABLE "주문 메모" ("select" int PRIMARY KEY, "이름" text NOT NULL, '
    '"Order Total" numeric(8,2) CHECK ("Order Total" >= 0), "class" varchar(5), '
    '"model_config" text, "e-mail" varchar(80))'
)


async def prepare(env, source: str = "pg", *, odd: bool = False) -> None:
    if odd:
        await pg_script(env.url, f'SET search_path TO "{env.shop}"; {ODD_TABLE}')
    await run(
        MetadataInit("i", {"connection": "pg", "schema": env.meta, "extensions": False}), env.ctx()
    )
    await run(
        MetadataIntrospect(
            "s",
            {"source": source, "target": "pg", "schemas": [env.shop], "metadata_schema": env.meta},
        ),
        env.ctx(),
    )


async def generate(env, *targets: str, data_dir: Path | None = None, **config: Any) -> Any:
    node = MetadataCodegen(
        "g", {"connection": "pg", "schema": env.meta, "targets": list(targets), **config}
    )
    return await run(node, env.ctx(data_dir=data_dir) if data_dir else env.ctx())


def artifact(frame: pd.DataFrame, path: str) -> str:
    return frame.set_index("path").loc[path, "content"]

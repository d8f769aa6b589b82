"""try_catch: turns failures of the nodes it watches into rows, so the run goes on."""

from __future__ import annotations

from typing import Any, ClassVar

import pandas as pd
from pydantic import Field

from nodes.base import MaxDPNode, NodeConfig, NodeContext, Port

COLUMNS = ["node_id", "node_type", "error_type", "message"]


class TryCatchConfig(NodeConfig):
    scope: list[str] = Field(
        default_factory=list,
        description="Node ids to watch; empty = every node that does not run after this one.",
        json_schema_extra={"x-maxdp-widget": "nodes"},
    )


class TryCatch(MaxDPNode):
    """Catches failures of the nodes in `scope` and emits one row per failure.

    It runs after every watched node has finished. A watched node that fails does not fail the
    run: its downstream nodes are skipped and the failure becomes a row here. With nothing
    failed the output is an empty table with the same columns.

    >>> from nodes.base import NodeContext
    >>> ctx = NodeContext(failures=[{"node_id": "load", "node_type": "file_input",
    ...                              "error_type": "node_failed", "message": "no such file"}])
    >>> TryCatch("catch").run({}, ctx)["out"][["node_id", "message"]]
      node_id       message
    0    load  no such file
    """

    type = "try_catch"
    category = "Control"
    title = "Try / catch"
    inputs: ClassVar[tuple[Port, ...]] = ()
    Config = TryCatchConfig
    catches_failures = True

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        return {"out": pd.DataFrame(ctx.failures, columns=COLUMNS)}

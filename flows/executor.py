"""FlowExecutor: build a flow once, run it many times.

Building validates the document, orders the DAG and instantiates every node (configs parsed,
expressions compiled). ``run`` then only moves tables between nodes. Independent branches run
concurrently: async nodes as tasks, large pandas work in threads. Small synchronous work runs
inline, because a thread hop costs more than filtering ten rows.

>>> ex = FlowExecutor({"name": "demo", "nodes": [
...     {"id": "src", "type": "static_data", "config": {"rows": [{"x": 1}, {"x": 5}]}},
...     {"id": "out", "type": "display_results", "config": {"name": "result"}}],
...     "edges": [{"source": "src", "target": "out"}]})
>>> result = ex.run_sync()
>>> result.status, result.outputs["result"]["x"].tolist(), [n.status for n in result.nodes]
('succeeded', [1, 5], ['succeeded', 'succeeded'])
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flows.errors import MaxDPError
from flows.graph import FlowGraph, build_graph
from flows.model import Flow
from flows.params import bind_params
from flows.records import NodeRun, RunEvent, RunResult
from flows.run import EventCallback, Run
from nodes.registry import NodeRegistry

__all__ = ["FlowExecutor", "NodeRun", "RunEvent", "RunResult"]


class FlowExecutor:
    """A validated, ordered, instantiated flow, ready to run with parameters."""

    def __init__(
        self,
        flow: Flow | Mapping[str, Any],
        *,
        registry: NodeRegistry | None = None,
        data_dir: Path | str | None = None,
        services: Mapping[str, Any] | None = None,
    ) -> None:
        self.graph: FlowGraph = build_graph(flow, registry)
        self.flow = self.graph.flow
        self.parameters = self.flow.parameters
        self.data_dir = Path(data_dir) if data_dir is not None else Path.cwd()
        self.services: Mapping[str, Any] = services or {}

    def bind_params(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        return bind_params(self.parameters, params)

    async def run(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        run_id: str | None = None,
        request_body: Any = None,
        timeout_s: float | None = None,
        cancel: asyncio.Event | None = None,
        on_event: EventCallback | None = None,
    ) -> RunResult:
        """Run the whole flow. Node failures end up in the result, never as exceptions;
        bad ``params`` raise ParameterError before anything runs."""
        state = Run(
            self, self.graph.order, self.bind_params(params), run_id, request_body, on_event
        )
        return await state.execute(timeout_s or self.flow.timeout_s, cancel)

    async def run_until(
        self,
        node_id: str,
        *,
        row_limit: int = 100,
        params: Mapping[str, Any] | None = None,
        run_id: str | None = None,
        on_event: EventCallback | None = None,
        sample_sources: bool = False,
        timeout_s: float | None = None,
    ) -> RunResult:
        """Preview: run ``node_id`` and what it needs; ``previews`` holds each node's head.

        Sources read everything unless ``sample_sources`` is set, so aggregates in a preview are
        the real ones; set it to trade that for speed on large sources.
        """
        if node_id not in self.graph.nodes:
            raise MaxDPError(f"no node {node_id!r} in this flow", 422, code="unknown_node")
        wanted = self.graph.ancestors(node_id)
        order = [n for n in self.graph.order if n in wanted]
        state = Run(
            self,
            order,
            self.bind_params(params),
            run_id,
            None,
            on_event,
            preview_limit=row_limit,
            source_limit=row_limit if sample_sources else None,
        )
        return await state.execute(timeout_s or self.flow.timeout_s, None)

    def run_sync(self, params: Mapping[str, Any] | None = None, **kwargs: Any) -> RunResult:
        return asyncio.run(self.run(params, **kwargs))

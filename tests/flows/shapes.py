"""Test nodes (failures, slowness, joins) and document builders for graph-shape tests."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, ClassVar

import pandas as pd
import pytest

from flows.errors import NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext, Port
from nodes.control.conditional_branch import ConditionalBranch
from nodes.control.merge import Merge
from nodes.control.try_catch import TryCatch
from nodes.registry import NodeRegistry
from nodes.sinks.display_results import DisplayResults
from nodes.sources.static_data import StaticData


class FailConfig(NodeConfig):
    message: str = "boom"


class Fail(MaxDPNode):
    """Always fails with NodeError(message)."""

    type = "test_fail"
    category = "Test"
    title = "Fail"
    Config = FailConfig

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        raise NodeError(self.config.message)


class SleepConfig(NodeConfig):
    seconds: float = 0.2
    tag: str = ""


class Sleep(MaxDPNode):
    """Async node: sleeps, then passes its input on with a column recording when it ran."""

    type = "test_sleep"
    category = "Test"
    title = "Sleep"
    inputs: ClassVar[tuple[Port, ...]] = (Port(name="in", optional=True),)
    Config = SleepConfig
    is_async = True

    async def arun(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        start = loop.time()
        await asyncio.sleep(self.config.seconds)
        df = inputs.get("in", pd.DataFrame({"x": [1]}))
        return {
            "out": df.assign(**{f"start_{self.node_id}": start, f"end_{self.node_id}": loop.time()})
        }


class FlakyConfig(NodeConfig):
    failures: int = 1


class Flaky(MaxDPNode):
    """Fails the first `failures` calls of this instance, then passes its input on."""

    type = "test_flaky"
    category = "Test"
    title = "Flaky"
    Config = FlakyConfig

    def setup(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        with self._lock:
            self.calls += 1
            if self.calls <= self.config.failures:
                raise NodeError(f"transient failure {self.calls}")
        return {"out": inputs["in"]}


class AddOneConfig(NodeConfig):
    column: str = "x"


class AddOne(MaxDPNode):
    """Adds 1 to a column (a plain pandas step for shape tests)."""

    type = "test_add_one"
    category = "Test"
    title = "Add one"
    Config = AddOneConfig

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = inputs["in"]
        return {"out": df.assign(**{self.config.column: df[self.config.column] + 1})}


class Join(MaxDPNode):
    """Two inputs, inner join on x (for diamond shapes)."""

    type = "test_join"
    category = "Test"
    title = "Join"
    inputs: ClassVar[tuple[Port, ...]] = (Port(name="left"), Port(name="right"))

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        return {"out": inputs["left"].merge(inputs["right"], on="x", suffixes=("_l", "_r"))}


class TwoPorts(MaxDPNode):
    """Outputs `a` and `b`; each is a one-row table telling which ports the node was asked for."""

    type = "test_two_ports"
    category = "Test"
    title = "Two ports"
    inputs: ClassVar[tuple[Port, ...]] = ()
    outputs: ClassVar[tuple[Port, ...]] = (Port(name="a"), Port(name="b"))

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        seen = pd.DataFrame({"wanted": [None if ctx.wanted is None else sorted(ctx.wanted)]})
        return {"a": seen, "b": seen}


TEST_NODES = [
    TwoPorts,
    StaticData,
    DisplayResults,
    Merge,
    ConditionalBranch,
    TryCatch,
    Fail,
    Sleep,
    Flaky,
    AddOne,
    Join,
]


@pytest.fixture
def registry() -> NodeRegistry:
    return NodeRegistry(TEST_NODES)


def static(node_id: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": node_id, "type": "static_data", "config": {"rows": rows}}


def node(node_id: str, node_type: str, **config: Any) -> dict[str, Any]:
    return {"id": node_id, "type": node_type, "config": config}


def edge(source: str, target: str, sp: str | None = None, tp: str | None = None) -> dict[str, Any]:
    return {"source": source, "target": target, "source_port": sp, "target_port": tp}


def flow(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"name": "test", "nodes": nodes, "edges": edges, **extra}

"""A warm sandbox pool shared by the tests of one module (workers take ~1 s to start).

Test modules using it set ``pytestmark = pytest.mark.asyncio(loop_scope="module")``: the pool
belongs to the module's event loop, so every test there is async and runs on that loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pandas as pd
import pytest
import pytest_asyncio

from nodes.base import MaxDPNode, NodeContext
from nodes.code.sandbox.limits import SandboxLimits
from nodes.code.sandbox.pool import SandboxPool

# Small limits keep the suite fast on two shared cores.
TEST_LIMITS = SandboxLimits(
    cpu_seconds=2, memory_mb=256, wall_seconds=6, max_output_rows=100_000, runs_per_worker=1000
)

RunNode = Callable[..., Awaitable[pd.DataFrame]]


@pytest.fixture(scope="module")
def limits() -> SandboxLimits:
    return TEST_LIMITS


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def pool(limits: SandboxLimits) -> AsyncIterator[SandboxPool]:
    async with SandboxPool(size=2, maxima=limits) as started:
        yield started


@pytest.fixture
def run_node(pool: SandboxPool) -> RunNode:
    """``await run_node(node, inputs, params=None)``: the node's ``out`` table, run in ``pool``."""

    async def run(node: MaxDPNode, inputs: dict[str, Any], params: dict[str, Any] | None = None):
        ctx = NodeContext(node_id=node.node_id, params=params or {}, services={"sandbox": pool})
        return (await node.arun(inputs, ctx))["out"]

    return run

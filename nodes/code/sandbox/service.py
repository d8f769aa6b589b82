"""What the code nodes share: finding the pool, one-shot pools, the per-node limit fields.

The host (server, CLI) puts a started ``SandboxPool`` in ``ctx.services["sandbox"]``. Without
one (doctests, a bare ``invoke``) a node starts a one-worker pool for the call and closes it;
there is no server-wide maximum then, so the node's own limits apply as set.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pandas as pd
from pydantic import Field

from flows.errors import NodeError
from nodes.base import NodeConfig, NodeContext
from nodes.code.sandbox.limits import SandboxLimits
from nodes.code.sandbox.pool import SandboxPool, SandboxResult

__all__ = ["SERVICE_NAME", "CodeLimitsConfig", "code_field", "run_code", "run_sync"]

SERVICE_NAME = "sandbox"
log = logging.getLogger("maxdp.code")
T = TypeVar("T")


def code_field(description: str) -> Any:
    """Python source, edited with a code widget in the designer."""
    return Field(
        ...,
        description=description,
        json_schema_extra={"x-maxdp-widget": "code", "x-maxdp-language": "python"},
    )


class CodeLimitsConfig(NodeConfig):
    """Per-node limits; unset means the server's default, and the server's maximum caps them."""

    cpu_seconds: float | None = Field(default=None, gt=0, le=3600, description="CPU seconds.")
    memory_mb: int | None = Field(
        default=None, ge=32, le=1 << 20, description="Memory in MB (above the worker's own)."
    )
    wall_seconds: float | None = Field(default=None, gt=0, le=3600, description="Elapsed seconds.")
    max_output_rows: int | None = Field(default=None, ge=0, description="Rows the code may return.")

    def limit_values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in CodeLimitsConfig.model_fields}


async def run_code(
    ctx: NodeContext,
    kind: str,
    code: str,
    tables: Mapping[str, pd.DataFrame],
    limits: Mapping[str, Any],
    options: Mapping[str, Any] | None = None,
) -> SandboxResult:
    """Run in the host's pool, or in a one-shot pool when the host provides none."""
    pool = ctx.services.get(SERVICE_NAME)
    params = dict(ctx.params)
    if pool is not None:
        if not isinstance(pool, SandboxPool):
            raise NodeError(f"sandbox: service {SERVICE_NAME!r} is not a SandboxPool")
        result = await pool.run(kind, code, tables, params, limits, options=options)
    else:
        maxima = SandboxLimits().merged(limits)
        async with SandboxPool(size=1, maxima=maxima) as one_shot:
            result = await one_shot.run(kind, code, tables, params, limits, options=options)
    if result.printed:
        log.info("node %s printed:\n%s", ctx.node_id, result.printed)
    return result


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a node's ``arun`` from synchronous code (``invoke``), inside a loop or not."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as executor:  # a running loop cannot be re-entered
        return executor.submit(asyncio.run, coro).result()

"""run_python_script: user Python over the input tables, run in the sandbox."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import pandas as pd

from flows.errors import ConfigError, NodeError
from nodes.base import MaxDPNode, NodeContext, Port, Renamed
from nodes.code.params import rename_parameter as rename_in_code
from nodes.code.sandbox.compiler import CodeError, compile_script
from nodes.code.sandbox.service import CodeLimitsConfig, code_field, run_code, run_sync

__all__ = ["RunPythonScript", "RunPythonScriptConfig"]


class RunPythonScriptConfig(CodeLimitsConfig):
    code: str = code_field(
        "Python that sets `result` (a table, a list of records or a dict of lists). It gets "
        "`inputs` (tables by source node id), `df` (the first table), `params`, `pd` and `np`."
    )


def input_tables(value: Any) -> dict[str, pd.DataFrame]:
    """The ``in`` port: nothing, ``{source_id: table}`` in edge order, or one table."""
    if value is None:
        return {}
    if isinstance(value, pd.DataFrame):
        return {"in": value}
    if not isinstance(value, Mapping):
        raise NodeError(f"input port 'in' expects tables, got {type(value).__name__}")
    for source, table in value.items():
        if not isinstance(table, pd.DataFrame):
            raise NodeError(f"input port 'in': {source!r} sent {type(table).__name__}, not a table")
    return {str(source): table for source, table in value.items()}


class RunPythonScript(MaxDPNode):
    """Runs Python on the input tables in a sandboxed worker process; `result` is the output.

    The code gets `inputs` (a dict of tables keyed by source node id, in edge order), `df`
    (the first table, or None without inputs), `params` (the run's parameters), and `pd`/`np`
    (read-only pandas and numpy namespaces without file, network or eval functions). It may
    import math, statistics, datetime, re, json, decimal, pandas and numpy. It must set
    `result`. Attribute access is checked against an allowlist; the run is limited in CPU,
    memory, wall-clock time and output rows (see docs/code-nodes.md).

    >>> import pandas as pd
    >>> node = RunPythonScript("py", {"code": "result = df[df['n'] > 1].assign(m=df['n'] * 10)"})
    >>> node.invoke({"in": {"src": pd.DataFrame({"n": [1, 2, 3]})}})["out"]
       n   m
    1  2  20
    2  3  30
    """

    type = "run_python_script"
    category = "Code"
    title = "Run Python script"
    inputs: ClassVar[tuple[Port, ...]] = (Port(name="in", many=True, optional=True),)
    Config = RunPythonScriptConfig
    is_async = True

    @classmethod
    def rename_parameter(cls, config: Mapping[str, Any], old: str, new: str) -> Renamed:
        renamed = super().rename_parameter(config, old, new)
        renamed.apply("code", lambda v: rename_in_code(v, old, new) if isinstance(v, str) else v)
        return renamed

    def setup(self) -> None:
        # Compiled here too (never executed in the server) so errors show at flow build time.
        try:
            compile_script(self.config.code)
        except CodeError as exc:
            raise ConfigError(f"code: {exc.message}", field="code") from None

    async def arun(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        tables = input_tables(inputs.get("in"))
        result = await run_code(ctx, "script", self.config.code, tables, self.config.limit_values())
        return {"out": result.table}

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        return run_sync(self.arun(inputs, ctx))

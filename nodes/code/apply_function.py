"""apply_function: a user function applied to each value of a column (or each row), sandboxed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from flows.errors import ConfigError
from nodes.base import MaxDPNode, NodeContext, Renamed
from nodes.code.params import rename_parameter as rename_in_code
from nodes.code.sandbox.compiler import CodeError, compile_function
from nodes.code.sandbox.service import CodeLimitsConfig, code_field, run_code, run_sync
from nodes.fields import column_field
from nodes.tables import require_columns, single_table

__all__ = ["ApplyFunction", "ApplyFunctionConfig"]


class ApplyFunctionConfig(CodeLimitsConfig):
    column: str | None = column_field(
        None, "Column whose values the function gets as `value`; none = whole rows as `row`."
    )
    code: str = code_field(
        "`lambda value: ...`, an expression over `value`/`row`, or a function body that "
        "returns. `row` is the whole row as a dict."
    )
    target: str | None = Field(
        default=None, description="Column to write the results to; default `column` (in place)."
    )


class ApplyFunction(MaxDPNode):
    """Applies a function to each value of `column` (or each row) and writes `target`.

    `code` is a lambda (`lambda value: value * 2`; with two parameters it gets the value and
    the row), a bare expression over `value`/`row`, or a function body ending in `return`.
    With no `column` the function gets each row as a dict, and `target` is required. It is the
    pandas `df[target] = df[column].map(f)`, run in a sandboxed worker like run_python_script.

    >>> import pandas as pd
    >>> node = ApplyFunction("f", {"column": "name", "code": "return value.title()", "target": "t"})
    >>> node.invoke({"in": pd.DataFrame({"name": ["ada lovelace", "alan turing"]})})["out"]
               name             t
    0  ada lovelace  Ada Lovelace
    1   alan turing   Alan Turing
    """

    type = "apply_function"
    category = "Code"
    title = "Apply function"
    Config = ApplyFunctionConfig
    is_async = True

    @classmethod
    def rename_parameter(cls, config: Mapping[str, Any], old: str, new: str) -> Renamed:
        renamed = super().rename_parameter(config, old, new)
        renamed.apply("code", lambda v: rename_in_code(v, old, new) if isinstance(v, str) else v)
        return renamed

    def setup(self) -> None:
        cfg = self.config
        if cfg.column is None and cfg.target is None:
            raise ConfigError("target: required when no column is set (whole rows)", field="target")
        try:
            compile_function(cfg.code)
        except CodeError as exc:
            raise ConfigError(f"code: {exc.message}", field="code") from None

    @property
    def target(self) -> str:
        return self.config.target or self.config.column or ""

    async def arun(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = single_table(inputs)
        if self.config.column is not None:
            require_columns(df, [self.config.column], field="column")
        options = {"column": self.config.column, "target": self.target}
        result = await run_code(
            ctx, "apply", self.config.code, {"in": df}, self.config.limit_values(), options
        )
        return {"out": result.table}

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        return run_sync(self.arun(inputs, ctx))

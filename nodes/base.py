"""The node contract: ports, config models, the run context and ``MaxDPNode``.

A node is built once per flow version (config validated, expressions compiled) and run many
times. ``run`` takes ``{input port: value}`` and returns ``{output port: value}``; a port missing
from the returned mapping carries nothing, which is how branches leave their untaken side
skipped. Tables are pandas DataFrames.

>>> import pandas as pd
>>> from nodes.sources.static_data import StaticData
>>> StaticData("s", {"rows": [{"a": 1}]}).invoke({})["out"]
   a
0  1
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from langchain_core.runnables import Runnable, RunnableConfig
from pydantic import BaseModel, ConfigDict, ValidationError

from flows.errors import ConfigError, ExpressionError, MaxDPError

if TYPE_CHECKING:
    from nodes.expressions import Expression

__all__ = ["CONTEXT_KEY", "MaxDPNode", "NodeConfig", "NodeContext", "Port", "Renamed"]

# Key under RunnableConfig["configurable"] that carries the NodeContext through langchain.
CONTEXT_KEY = "maxdp_context"


class Port(BaseModel):
    """A named input or output. ``many`` inputs accept several edges (``{source_id: table}``)."""

    model_config = ConfigDict(frozen=True)

    name: str
    description: str = ""
    many: bool = False
    optional: bool = False


class NodeConfig(BaseModel):
    """Base of every node's config model; the model's JSON Schema is the node's form."""

    model_config = ConfigDict(extra="forbid")


@dataclass(slots=True)
class NodeContext:
    """What a node may know about the run it is part of."""

    node_id: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    data_dir: Path = field(default_factory=Path.cwd)
    run_id: str | None = None
    # The JSON body of the /execute call, for webhook_listener; None outside a request.
    request_body: Any = None
    # Set during previews: sources may read fewer rows.
    row_limit: int | None = None
    # A preview ("run to here"), not a run: nothing a run would count (template uses) counts.
    preview: bool = False
    # Output ports that something reads (None: all). A node may skip building the others, as
    # filter_rows does with `rejected` when nothing is wired to it.
    wanted: frozenset[str] | None = None
    # Failures caught for a try_catch node (list of dicts), filled by the executor.
    failures: list[dict[str, Any]] = field(default_factory=list)
    # Shared services (connections, sandbox pool …) keyed by name; provided by the host.
    services: Mapping[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Renamed:
    """A node's config with a parameter renamed: the fields that changed, and those that could
    not be read (field -> why), which keep their text."""

    config: dict[str, Any]
    changed: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    def apply(self, name: str, rename: Callable[[Any], Any]) -> None:
        """Set field ``name`` to ``rename(its value)``; a field that is absent stays so."""
        value = self.config.get(name)
        if value is None:
            return
        try:
            renamed = rename(value)
        except MaxDPError as exc:
            self.skipped[name] = exc.message
            return
        if renamed != value:
            self.config[name] = renamed
            self.changed.append(name)


class MaxDPNode(Runnable[Mapping[str, Any], dict[str, Any]]):
    """Base class of every node type.

    Subclasses set the class attributes and implement ``run`` (pandas work, called off the event
    loop when tables are large) or, for I/O, set ``is_async = True`` and implement ``arun``.
    """

    type: ClassVar[str]
    category: ClassVar[str]
    title: ClassVar[str]
    inputs: ClassVar[tuple[Port, ...]] = (Port(name="in"),)
    outputs: ClassVar[tuple[Port, ...]] = (Port(name="out"),)
    Config: ClassVar[type[NodeConfig]] = NodeConfig
    is_async: ClassVar[bool] = False
    # Marks flow outputs (display_results) and failure collectors (try_catch) for the executor.
    is_output: ClassVar[bool] = False
    catches_failures: ClassVar[bool] = False
    # Sync nodes on small inputs run inline on the event loop (a thread hop costs more than the
    # work); nodes that block on files or other I/O whatever their input size set this.
    always_offload: ClassVar[bool] = False

    def __init__(self, node_id: str, config: NodeConfig | Mapping[str, Any] | None = None) -> None:
        self.node_id = node_id
        if isinstance(config, self.Config):
            self.config = config
        else:
            try:
                self.config = self.Config.model_validate(dict(config or {}))
            except ValidationError as exc:
                first = exc.errors()[0]
                loc = ".".join(str(p) for p in first["loc"]) or "config"
                raise ConfigError(f"{loc}: {first['msg']}", field=loc) from None
        self.expressions: dict[str, Expression] = self._compile_expressions()
        self.setup()

    # -- hooks for subclasses -------------------------------------------------------------
    def setup(self) -> None:
        """Precompute what every run needs (regexes, lookups). Raise ConfigError on bad config."""

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        raise NotImplementedError(f"{type(self).__name__} must implement run() or arun()")

    async def arun(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        return self.run(inputs, ctx)

    def parameter_refs(self) -> dict[str, set[str]]:
        """``{config field: {parameter names}}`` this node reads; checked against the flow."""
        return {name: set(expr.parameters) for name, expr in self.expressions.items()}

    @classmethod
    def rename_parameter(cls, config: Mapping[str, Any], old: str, new: str) -> Renamed:
        """``config`` as stored (not validated) with every use of parameter ``old`` reading
        ``new``: the fields ``parameter_refs`` names. Here the expression fields; a node that
        reads parameters elsewhere renames there too.

        >>> from nodes.transforms.filter_rows import FilterRows
        >>> FilterRows.rename_parameter({"condition": "amount > @min"}, "min", "floor").config
        {'condition': 'amount > @floor'}
        """
        from nodes._expr_parse import rename_parameter

        renamed = Renamed(dict(config))
        for name in cls._expression_fields():
            renamed.apply(
                name, lambda v: rename_parameter(v, old, new) if isinstance(v, str) else v
            )
        return renamed

    # -- catalog ------------------------------------------------------------------------
    @classmethod
    def describe(cls) -> dict[str, Any]:
        """The catalog entry: what the designer and ``maxdp nodes`` show."""
        doc = inspect.cleandoc(cls.__doc__ or "")
        return {
            "type": cls.type,
            "category": cls.category,
            "title": cls.title,
            "description": doc.split("\n\n", 1)[0].replace("\n", " "),
            "docs": doc,
            "inputs": [p.model_dump() for p in cls.inputs],
            "outputs": [p.model_dump() for p in cls.outputs],
            "config_schema": cls.Config.model_json_schema(),
        }

    # -- langchain Runnable ---------------------------------------------------------------
    def invoke(
        self, input: Mapping[str, Any], config: RunnableConfig | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        return self.run(dict(input), self._context(config))

    async def ainvoke(
        self, input: Mapping[str, Any], config: RunnableConfig | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        return await self.arun(dict(input), self._context(config))

    def _context(self, config: RunnableConfig | None) -> NodeContext:
        ctx = ((config or {}).get("configurable") or {}).get(CONTEXT_KEY)
        return ctx if isinstance(ctx, NodeContext) else NodeContext(node_id=self.node_id)

    @classmethod
    def _expression_fields(cls) -> list[str]:
        """The config fields written in the expression language."""
        return [
            name
            for name, info in cls.Config.model_fields.items()
            if isinstance(info.json_schema_extra, dict)
            and info.json_schema_extra.get("x-maxdp-widget") == "expression"
        ]

    def _compile_expressions(self) -> dict[str, Expression]:
        from nodes.expressions import compile_expression

        compiled = {}
        for name in self._expression_fields():
            text = getattr(self.config, name)
            if text is None:
                continue
            try:
                compiled[name] = compile_expression(text)
            except ExpressionError as exc:
                exc.field = name
                exc.message = f"{name}: {exc.message}"
                exc.args = (exc.message,)
                raise
        return compiled

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.node_id!r}>"

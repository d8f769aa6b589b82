"""template_render: a personalised message per row from a ``{{variable}}`` template."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from flows.errors import ConfigError, NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext
from nodes.messaging.templates import OnMissing, render_column, template_variables
from nodes.tables import single_table


class TemplateRenderConfig(NodeConfig):
    template: str = Field(description="Text with {{variable}} placeholders.")
    variables: dict[str, str] | None = Field(
        default=None,
        description="{variable: column}; variables not listed match the column of the same name.",
    )
    target: str = Field(default="message", min_length=1, description="Column for the text.")
    on_missing: OnMissing = Field(
        default="error",
        description="A variable without a value (null, or no column): error, empty, or keep "
        "the {{variable}} text.",
    )


class TemplateRender(MaxDPNode):
    """Renders `template` once per row into `target`, and lists each row's missing variables.

    Each `{{variable}}` takes its value from the column named in `variables`, else from the
    column of the same name. A null value, or a variable no column matches, is missing:
    `on_missing` fails the node (naming the variable and row), renders it empty, or keeps the
    placeholder. `missing_variables` holds the missing names per row. Whole numbers stored as
    floats print without `.0`; nothing in the template is evaluated.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"name": ["김민지", "Ann"], "plan": ["Pro", None]})
    >>> node = TemplateRender("t", {"template": "{{고객명}}님, {{plan}} 플랜",
    ...                             "variables": {"고객명": "name"}, "on_missing": "empty"})
    >>> node.run({"in": df}, NodeContext())["out"]
      name  plan      message missing_variables
    0  김민지   Pro  김민지님, Pro 플랜                []
    1  Ann   NaN     Ann님,  플랜            [plan]
    """

    type = "template_render"
    category = "Message automation"
    title = "Template render"
    Config = TemplateRenderConfig

    def setup(self) -> None:
        self._variables = template_variables(self.config.template)
        mapping = self.config.variables or {}
        unused = [v for v in mapping if v not in self._variables]
        if unused:
            raise ConfigError(
                f"variables: {{{{{unused[0]}}}}} does not appear in the template", field="variables"
            )

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = single_table(inputs)
        explicit = self.config.variables or {}
        columns = set(map(str, df.columns))
        mapping: dict[str, str | None] = {}
        for name in self._variables:
            if name in explicit:
                column = explicit[name]
                if column not in columns:
                    available = ", ".join(map(str, df.columns)) or "none"
                    raise NodeError(
                        f"variables: column {column!r} for {{{{{name}}}}} not found "
                        f"(available: {available})"
                    )
                mapping[name] = column
            else:
                mapping[name] = name if name in columns else None
        text, missing = render_column(
            self.config.template, df, mapping, self.config.on_missing, field="template"
        )
        return {"out": df.assign(**{self.config.target: text, "missing_variables": missing})}

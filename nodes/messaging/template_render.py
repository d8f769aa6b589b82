"""template_render: a personalised message per row from a ``{{variable}}`` template."""

from __future__ import annotations

import asyncio
from typing import Any

import pandas as pd
from pydantic import Field, model_validator

from flows.errors import ConfigError, NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext
from nodes.messaging.templates import OnMissing, render_column, template_variables
from nodes.tables import single_table

# Rendering is Python per row: above this many rows it leaves the event loop.
_INLINE_ROWS = 20_000


class TemplateRenderConfig(NodeConfig):
    template: str = Field(
        default="", description="Text with {{variable}} placeholders (or use template_name)."
    )
    template_name: str | None = Field(
        default=None,
        min_length=1,
        description="A saved message template of the workspace, by name: its content is "
        "rendered instead of template, and its subject (when it has one) into subject_target.",
    )
    variables: dict[str, str] | None = Field(
        default=None,
        description="{variable: column}; variables not listed match the column of the same name.",
    )
    target: str = Field(default="message", min_length=1, description="Column for the text.")
    subject_target: str = Field(
        default="subject",
        min_length=1,
        description="Column for a saved template's subject (with template_name).",
    )
    on_missing: OnMissing = Field(
        default="error",
        description="A variable without a value (null, or no column): error, empty, or keep "
        "the {{variable}} text.",
    )

    @model_validator(mode="after")
    def _one_template(self) -> TemplateRenderConfig:
        if bool(self.template) == (self.template_name is not None):
            raise ValueError("give either template (the text) or template_name (a saved one)")
        return self


class TemplateRender(MaxDPNode):
    """Renders `template` once per row into `target`, and lists each row's missing variables.

    Each `{{variable}}` takes its value from the column named in `variables`, else from the
    column of the same name. A null value, or a variable no column matches, is missing:
    `on_missing` fails the node (naming the variable and row), renders it empty, or keeps the
    placeholder. `missing_variables` holds the missing names per row. Whole numbers stored as
    floats print without `.0`; nothing in the template is evaluated.

    With `template_name` the text is the workspace's saved message template of that name (read
    when the flow runs on the server), its subject goes to `subject_target`, and each run (not
    a preview) adds the rows it rendered to the template's usage count.

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
    is_async = True  # a saved template is read from the server's database

    def setup(self) -> None:
        if self.config.template_name is None:
            self._check_variables(template_variables(self.config.template))

    def _check_variables(self, variables: list[str]) -> None:
        unused = [v for v in self.config.variables or {} if v not in variables]
        if unused:
            raise ConfigError(
                f"variables: {{{{{unused[0]}}}}} does not appear in the template", field="variables"
            )

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        if self.config.template_name is not None:
            raise NodeError(
                "template_name: saved message templates are read by the server; "
                "run this flow there, or give the text as template"
            )
        return {"out": self._render(single_table(inputs), self.config.template, "")}

    async def arun(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = single_table(inputs)
        name = self.config.template_name
        if name is None:
            return {"out": await _off_loop(self._render, df, self.config.template, "")}
        store = ctx.services.get("message_templates")
        if store is None:
            return self.run(inputs, ctx)  # says why
        saved = await store.get(name)
        try:
            self._check_variables(_variables(saved.subject, saved.content))
        except ConfigError as exc:
            raise NodeError(f"{exc.message} {name!r}") from None
        out = await _off_loop(self._render, df, saved.content, saved.subject)
        if not ctx.preview and len(df):
            await store.record_use(name, len(df))
        return {"out": out}

    def _render(self, df: pd.DataFrame, template: str, subject: str) -> pd.DataFrame:
        cfg = self.config
        mapping = self._mapping(df, _variables(subject, template))
        field = "template" if cfg.template_name is None else "template_name"
        text, missing = render_column(template, df, mapping, cfg.on_missing, field=field)
        columns: dict[str, Any] = {cfg.target: text}
        if subject:
            title, missed = render_column(subject, df, mapping, cfg.on_missing, field=field)
            columns[cfg.subject_target] = title
            missing = [
                [*m, *(v for v in s if v not in m)] for m, s in zip(missing, missed, strict=True)
            ]
        return df.assign(**columns, missing_variables=missing)

    def _mapping(self, df: pd.DataFrame, variables: list[str]) -> dict[str, str | None]:
        explicit = self.config.variables or {}
        columns = set(map(str, df.columns))
        mapping: dict[str, str | None] = {}
        for name in variables:
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
        return mapping


def _variables(*templates: str) -> list[str]:
    return list(dict.fromkeys(v for t in templates for v in template_variables(t)))


async def _off_loop(render: Any, df: pd.DataFrame, template: str, subject: str) -> pd.DataFrame:
    if len(df) < _INLINE_ROWS:
        return render(df, template, subject)
    return await asyncio.to_thread(render, df, template, subject)

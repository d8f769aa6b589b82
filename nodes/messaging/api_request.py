"""api_request: the input rows sent to an HTTP API, one call per row, per N rows, or all."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal
from urllib.parse import quote

import pandas as pd
from pydantic import Field

from flows.errors import ConfigError, NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext
from nodes.messaging._calls import (
    http_base,
    is_json_template,
    json_records,
    render_json_template,
    render_text_template,
    target_url,
)
from nodes.messaging.http import Request, http_policy, new_client, redact_url, send_request
from nodes.messaging.templates import VARIABLE, format_value, template_variables
from nodes.tables import single_table

Method = Literal["POST", "PUT", "PATCH", "DELETE", "GET"]
_BATCH_VARIABLES = {"rows", "count"}


class ApiRequestConfig(NodeConfig):
    url: str = Field(
        min_length=1, description="URL; with batch=row it may hold {{column}} (URL-encoded)."
    )
    method: Method = "POST"
    headers: dict[str, str] = Field(default_factory=dict)
    batch: Literal["all", "row"] | Annotated[int, Field(ge=1, le=100_000)] = Field(
        default="row", description="row: one call per row; all: one call; N: N rows per call."
    )
    body_template: str | None = Field(
        default=None,
        description="Body with {{column}} (row) or {{rows}}/{{count}} (batches); JSON "
        "templates are filled inside their strings. Default: the row(s) as JSON.",
    )
    timeout_s: float = Field(default=30, gt=0, le=600)
    retries: int = Field(default=2, ge=0, le=10, description="Retries after 5xx, 429 or timeout.")
    retry_backoff_s: float = Field(default=0.5, ge=0, le=30)
    connection: str | None = Field(default=None, description="An http connection (base, tokens).")
    concurrency: int = Field(default=1, ge=1, le=16, description="Calls in flight at once.")
    fail_on_error: bool = Field(
        default=True, description="Fail the node on a non-2xx reply; else record it and go on."
    )


class ApiRequest(MaxDPNode):
    """Sends its rows to an HTTP API and returns one row per call: status and reply body.

    `batch` sends one call per row, one per `N` rows, or `all` rows at once. Without a
    `body_template` the body is the row (or list of rows) as JSON. A JSON `body_template` is
    filled inside its strings, so values can never break the JSON: a string that is only
    `{{x}}` takes the value with its JSON type. In batches `{{rows}}` is the list of rows and
    `{{count}}` their number. Timeouts, 429 and 5xx are retried with backoff (a retried POST
    may reach the server twice; set `retries: 0` when that matters). Private addresses are
    refused unless the server's HTTP policy allows them.

    >>> node = ApiRequest("push", {"url": "https://api.example.com/contacts", "batch": 100,
    ...                            "body_template": '{"contacts": "{{rows}}", "n": "{{count}}"}'})
    >>> node.config.batch, node.config.method
    (100, 'POST')
    """

    type = "api_request"
    category = "Sinks"
    title = "API request"
    Config = ApiRequestConfig
    is_async = True

    def setup(self) -> None:
        cfg = self.config
        self._json = cfg.body_template is not None and is_json_template(cfg.body_template)
        if cfg.batch != "row":
            in_url = template_variables(cfg.url)
            if in_url:
                raise ConfigError(
                    f"url: {{{{{in_url[0]}}}}} needs batch=row (one call per row)", field="url"
                )
            unknown = set(template_variables(cfg.body_template or "")) - _BATCH_VARIABLES
            if unknown:
                raise ConfigError(
                    f"body_template: in batches only {{{{rows}}}} and {{{{count}}}} exist, "
                    f"not {{{{{sorted(unknown)[0]}}}}}",
                    field="body_template",
                )

    async def arun(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        cfg = self.config
        df = single_table(inputs)
        if cfg.batch == "row":
            missing = [
                v
                for v in template_variables(cfg.url + (cfg.body_template or ""))
                if v not in map(str, df.columns)
            ]
            if missing:
                available = ", ".join(map(str, df.columns)) or "none"
                raise NodeError(
                    f"body_template: column {missing[0]!r} not found (available: {available})"
                )
        records = json_records(df)
        if cfg.batch == "row":
            size = 1
        elif cfg.batch == "all":
            size = max(len(records), 1)
        else:
            size = cfg.batch
        groups = [records[i : i + size] for i in range(0, len(records), size)]
        base, secret = await http_base(ctx, cfg.connection)
        headers = {**secret, **cfg.headers}
        policy = http_policy(ctx.services)
        gate = asyncio.Semaphore(cfg.concurrency)

        async def call(index: int, rows: list[dict[str, Any]]) -> dict[str, Any]:
            url, body, content = self._request_parts(rows)
            url = target_url(base, url, cfg.connection)
            req = Request(cfg.method, url, headers, None, body, content)
            async with gate:
                result = await send_request(
                    client,
                    req,
                    policy=policy,
                    timeout_s=cfg.timeout_s,
                    retries=cfg.retries,
                    backoff_s=cfg.retry_backoff_s,
                )
            ok = 200 <= result.status < 300
            if not ok and cfg.fail_on_error:
                raise NodeError(
                    f"url: call {index} ({len(rows)} rows) to {redact_url(url)} answered "
                    f"{result.status}: {result.text[:200]!r}"
                )
            error = None if ok else f"status {result.status}"
            return {"call": index, "rows": len(rows), "status": result.status,
                    "body": result.text, "error": error}  # fmt: skip

        async with new_client() as client:
            log = await asyncio.gather(*(call(i, rows) for i, rows in enumerate(groups)))
        columns = ["call", "rows", "status", "body", "error"]
        return {"out": pd.DataFrame(log, columns=columns)}

    def _request_parts(self, rows: list[dict[str, Any]]) -> tuple[str, Any, str | None]:
        """URL, JSON body, text body of one call."""
        cfg = self.config
        template = cfg.body_template
        if cfg.batch == "row":
            values: dict[str, Any] = rows[0]
            url = VARIABLE.sub(lambda m: quote(format_value(values[m.group(1)]), safe=""), cfg.url)
            default: Any = rows[0]
        else:
            values, url, default = {"rows": rows, "count": len(rows)}, cfg.url, rows
        if template is None:
            return url, default, None
        if self._json:
            return url, render_json_template(template, values, field="body_template"), None
        return url, None, render_text_template(template, values, field="body_template")

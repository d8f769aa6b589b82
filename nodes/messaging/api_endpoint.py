"""api_endpoint: a JSON API's records as a table, with retries, pagination and an SSRF guard."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import httpx
import pandas as pd
from pydantic import Field

from flows.errors import NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext, Port, Renamed
from nodes.messaging._calls import (
    http_base,
    param_names,
    rename_params,
    substitute_params,
    target_url,
)
from nodes.messaging.http import (
    Request,
    http_policy,
    new_client,
    records_table,
    redact_url,
    send_request,
    walk_path,
)

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


class ApiEndpointConfig(NodeConfig):
    url: str = Field(min_length=1, description="Absolute URL, or a path under the connection's.")
    method: Method = "GET"
    headers: dict[str, str] = Field(default_factory=dict)
    query: dict[str, Any] = Field(default_factory=dict, description="Query string values.")
    body: Any = Field(default=None, description="JSON body (POST/PUT/PATCH).")
    records_path: str = Field(
        default="", description="Dotted path to the records, e.g. data.items."
    )
    timeout_s: float = Field(default=30, gt=0, le=600)
    retries: int = Field(default=2, ge=0, le=10, description="Retries after 5xx, 429 or timeout.")
    retry_backoff_s: float = Field(default=0.5, ge=0, le=30, description="Doubles per retry.")
    connection: str | None = Field(
        default=None, description="An http connection: base URL and secret headers (tokens)."
    )
    pagination: Literal["none", "next_link", "page"] = "none"
    next_path: str = Field(
        default="", description="next_link: dotted path to the next URL; empty = Link header."
    )
    page_param: str = Field(default="page", min_length=1, description="page: query parameter.")
    page_start: int = Field(default=1, ge=0)
    max_pages: int = Field(default=20, ge=1, le=1000)


class ApiEndpoint(MaxDPNode):
    """Calls an HTTP API and turns the JSON records at `records_path` into a table.

    Timeouts, 429 and 5xx replies are retried with exponential backoff. Pages are followed
    through a next link (`next_path` in the body, or the `Link` header) or a `page` query
    parameter until a page is empty, up to `max_pages` (more than that is an error, never a
    silent cut). Hosts resolving to private, loopback or link-local addresses are refused
    unless the server's HTTP policy allows them. A query, body or header value written
    `@name` takes the flow parameter `name`. Secret tokens belong in an `http` connection.

    >>> node = ApiEndpoint("users", {"url": "https://api.example.com/users",
    ...                              "query": {"team": "@team"}, "records_path": "data.items"})
    >>> node.parameter_refs()["query"]
    {'team'}
    """

    type = "api_endpoint"
    category = "Sources"
    title = "API endpoint"
    inputs: ClassVar[tuple[Port, ...]] = ()
    Config = ApiEndpointConfig
    is_async = True

    def parameter_refs(self) -> dict[str, set[str]]:
        cfg = self.config
        refs = {
            "query": param_names(cfg.query),
            "body": param_names(cfg.body),
            "headers": param_names(cfg.headers),
        }
        return {k: v for k, v in {**super().parameter_refs(), **refs}.items() if v}

    @classmethod
    def rename_parameter(cls, config: Mapping[str, Any], old: str, new: str) -> Renamed:
        renamed = super().rename_parameter(config, old, new)
        for name in ("query", "body", "headers"):
            renamed.apply(name, lambda v: rename_params(v, old, new))
        return renamed

    async def arun(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        cfg = self.config
        base, secret = await http_base(ctx, cfg.connection)
        url = target_url(base, cfg.url, cfg.connection)
        headers = {**secret, **substitute_params(cfg.headers, ctx.params, "headers")}
        query = substitute_params(cfg.query, ctx.params, "query")
        body = substitute_params(cfg.body, ctx.params, "body")
        policy = http_policy(ctx.services)
        frames: list[pd.DataFrame] = []
        rows = 0
        async with new_client() as client:
            for page in range(cfg.max_pages + 1):
                if page == cfg.max_pages:
                    raise NodeError(
                        f"max_pages: {redact_url(url)} did not end within {cfg.max_pages} "
                        "pages; raise max_pages"
                    )
                params = dict(query)
                if cfg.pagination == "page":
                    params[cfg.page_param] = cfg.page_start + page
                req = Request(
                    cfg.method, url, headers, params, body if cfg.method != "GET" else None
                )
                result = await send_request(
                    client,
                    req,
                    policy=policy,
                    timeout_s=cfg.timeout_s,
                    retries=cfg.retries,
                    backoff_s=cfg.retry_backoff_s,
                )
                if not 200 <= result.status < 300:
                    raise NodeError(
                        f"url: {cfg.method} {redact_url(result.url)} answered {result.status}: "
                        f"{result.text[:200]!r}"
                    )
                reply = result.json()
                frame = records_table(walk_path(reply, cfg.records_path))
                frames.append(frame)
                rows += len(frame)
                if ctx.row_limit is not None and rows >= ctx.row_limit:
                    break
                if cfg.pagination == "none" or (cfg.pagination == "page" and frame.empty):
                    break
                if cfg.pagination == "next_link":
                    following = _next_link(reply, result.headers, cfg.next_path)
                    if not following:
                        break
                    url, query = str(httpx.URL(result.url).join(following)), {}
        table = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        return {"out": table if ctx.row_limit is None else table.head(ctx.row_limit)}


def _next_link(reply: Any, headers: httpx.Headers, path: str) -> str | None:
    if path:
        try:
            value = walk_path(reply, path, field="next_path")
        except NodeError:
            return None  # the last page leaves the link out
        return value if isinstance(value, str) and value else None
    for part in headers.get("link", "").split(","):
        url, _, params = part.partition(";")
        if 'rel="next"' in params.replace(" ", "") or "rel=next" in params.replace(" ", ""):
            return url.strip().strip("<>") or None
    return None

"""send_notification: a rendered message per row, by webhook or email, with a delivery log."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

import httpx
import pandas as pd
from pydantic import Field, model_validator

from flows.errors import NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext
from nodes.messaging.http import (
    HttpPolicy,
    Request,
    checked_address,
    http_policy,
    new_client,
    send_request,
)
from nodes.messaging.smtp import SmtpSettings, build_email, send_emails
from nodes.messaging.templates import OnMissing, render_column, template_variables
from nodes.tables import single_table

_LOG_COLUMNS = ["row", "channel", "to", "subject", "message", "status", "error", "attempts"]


class SendNotificationConfig(NodeConfig):
    channel: Literal["webhook", "email"]
    to: str | None = Field(default=None, description="email: address(es); {{column}} allowed.")
    url: str | None = Field(default=None, description="webhook: URL; {{column}} allowed.")
    subject: str = Field(default="", description="Subject (email) with {{column}} variables.")
    template: str = Field(description="Message text with {{column}} variables.")
    dry_run: bool = Field(default=False, description="Render and log the messages, send nothing.")
    on_missing: OnMissing = Field(default="error", description="A variable without a value.")
    headers: dict[str, str] = Field(default_factory=dict, description="webhook: extra headers.")
    timeout_s: float = Field(default=30, gt=0, le=300)
    retries: int = Field(default=2, ge=0, le=10)
    retry_backoff_s: float = Field(default=0.5, ge=0, le=30)

    @model_validator(mode="after")
    def _target(self) -> SendNotificationConfig:
        if self.channel == "email" and not self.to:
            raise ValueError("channel email needs 'to'")
        if self.channel == "webhook" and not self.url:
            raise ValueError("channel webhook needs 'url'")
        return self


class SendNotification(MaxDPNode):
    """Renders `template` (and `subject`, `to`, `url`) per row and delivers it; logs each one.

    `webhook` POSTs `{"text": message, "subject": …, "to": …}` (subject and to when set)
    as JSON to `url`; private addresses are refused unless the server allows them, and the
    log shows only the URL's host (webhook URLs carry their token). `email` sends through
    the server's SMTP settings (STARTTLS or TLS, login when configured). Timeouts, 429/5xx
    and transient SMTP errors are retried with backoff. One failed delivery does not stop
    the others: the `out` log has one row per message with `status` (sent, failed,
    dry_run) and `error`. `dry_run` only renders.

    >>> df = pd.DataFrame({"name": ["Ann"], "email": ["ann@example.com"]})
    >>> node = SendNotification("n", {"channel": "email", "to": "{{email}}", "dry_run": True,
    ...                               "subject": "Hi {{name}}", "template": "Dear {{name}},"})
    >>> log = asyncio.run(node.arun({"in": df}, NodeContext()))["out"]
    >>> log[["to", "subject", "message", "status"]]
                    to subject        message   status
    0  ann@example.com  Hi Ann  Dear Ann,  dry_run
    """

    type = "send_notification"
    category = "Sinks"
    title = "Send notification"
    Config = SendNotificationConfig
    is_async = True

    async def arun(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        cfg = self.config
        df = single_table(inputs)
        urls = self._render(cfg.url, df, "url") if cfg.channel == "webhook" and cfg.url else []
        recipients = self._render(cfg.to, df, "to") if cfg.to else [None] * len(df)
        rendered = {
            # A webhook URL is a secret (the token is in its path): the log shows the host only.
            "to": recipients if cfg.to else [_host_of(u) for u in urls],
            "subject": self._render(cfg.subject, df, "subject"),
            "message": self._render(cfg.template, df, "template"),
        }
        log = pd.DataFrame(
            {"row": range(len(df)), "channel": cfg.channel, **rendered},
            columns=_LOG_COLUMNS[:5],
        )
        if cfg.dry_run:
            results = [("dry_run", None, 0)] * len(df)
        elif cfg.channel == "email":
            results = await self._email(log, ctx)
        else:
            results = await self._webhook(log, urls, recipients, ctx)
        status, error, attempts = zip(*results, strict=True) if results else ((), (), ())
        log = log.assign(status=list(status), error=list(error), attempts=list(attempts))
        return {"out": log[_LOG_COLUMNS]}

    def _render(self, template: str, df: pd.DataFrame, field: str) -> list[str]:
        columns = set(map(str, df.columns))
        mapping = {v: (v if v in columns else None) for v in template_variables(template)}
        text, _ = render_column(template, df, mapping, self.config.on_missing, field=field)
        return text.tolist()

    async def _email(self, log: pd.DataFrame, ctx: NodeContext) -> list[tuple[Any, ...]]:
        cfg = self.config
        settings = ctx.services.get("smtp")
        if settings is None:
            raise NodeError(
                "channel: email needs the server's SMTP settings (the 'smtp' service); none "
                "are configured (use dry_run to render only)"
            )
        if not isinstance(settings, SmtpSettings):
            settings = SmtpSettings.model_validate(settings)
        results: list[tuple[Any, ...] | None] = [None] * len(log)
        messages, positions = [], []
        for i, (to, subject, body) in enumerate(
            zip(log["to"], log["subject"], log["message"], strict=True)
        ):
            try:
                messages.append(build_email(settings, to, subject, body))
                positions.append(i)
            except NodeError as exc:
                results[i] = ("failed", exc.message, 0)
        sent = await asyncio.to_thread(
            send_emails, settings, messages, retries=cfg.retries, backoff_s=cfg.retry_backoff_s
        )
        for i, delivery in zip(positions, sent, strict=True):
            results[i] = (delivery.status, delivery.error, delivery.attempts)
        return [r for r in results if r is not None]

    async def _webhook(
        self, log: pd.DataFrame, urls: list[str], recipients: list[str | None], ctx: NodeContext
    ) -> list[tuple[Any, ...]]:
        cfg = self.config
        policy = http_policy(ctx.services)
        assert cfg.url is not None
        if not template_variables(cfg.url):
            await _check(cfg.url, policy)  # one URL for all rows: a refusal fails the node
        results = []
        async with new_client() as client:
            rows = zip(urls, recipients, log["subject"], log["message"], strict=True)
            for url, to, subject, message in rows:
                payload = {"text": message}
                if subject:
                    payload["subject"] = subject
                if to is not None:
                    payload["to"] = to
                try:
                    result = await send_request(
                        client,
                        Request("POST", url, dict(cfg.headers), None, payload),
                        policy=policy,
                        timeout_s=cfg.timeout_s,
                        retries=cfg.retries,
                        backoff_s=cfg.retry_backoff_s,
                    )
                except NodeError as exc:
                    results.append(("failed", exc.message, cfg.retries + 1))
                    continue
                ok = 200 <= result.status < 300
                error = None if ok else f"status {result.status}: {result.text[:200]}"
                results.append(("sent" if ok else "failed", error, result.attempts))
        return results


async def _check(url: str, policy: HttpPolicy) -> None:
    await checked_address(httpx.URL(url), policy, field="url")


def _host_of(url: str) -> str:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return "(invalid URL)"
    return f"{parsed.scheme}://{parsed.host}" if parsed.host else "(invalid URL)"

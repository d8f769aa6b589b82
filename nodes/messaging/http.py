"""Outbound HTTP for nodes: the SSRF policy, retries with backoff, and JSON records.

Every request resolves its host first and refuses private, loopback, link-local, multicast
and other non-global addresses unless the ``HttpPolicy`` allows them (the host's
``http_policy`` service, else ``MAXDP_HTTP_ALLOW_PRIVATE=1``). The connection then goes to
the checked address itself (``Host`` and TLS SNI keep the name), so a DNS answer that
changes between the check and the connection cannot redirect it. Redirects are followed by
hand, each hop checked again.

>>> HttpPolicy.from_env({"MAXDP_HTTP_ALLOW_PRIVATE": "1"}).allow_private
True
>>> import asyncio
>>> asyncio.run(checked_address(httpx.URL("http://127.0.0.1:8080/x"), HttpPolicy()))
Traceback (most recent call last):
...
flows.errors.NodeError: url: 127.0.0.1 is a loopback address; requests to private, ...
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from flows.errors import NodeError

__all__ = [
    "HttpPolicy",
    "HttpResult",
    "checked_address",
    "http_policy",
    "records_table",
    "redact_url",
    "send_request",
    "walk_path",
]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_TRUE = {"1", "true", "yes", "on"}


class HttpPolicy(BaseModel):
    """What outbound requests may reach; the server sets it, nodes cannot loosen it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    allow_private: bool = Field(
        default=False, description="Allow private, loopback and link-local addresses."
    )
    max_timeout_s: float = Field(default=60, gt=0, description="Cap on any node's timeout_s.")
    max_response_bytes: int = Field(default=20 * 2**20, gt=0)
    max_redirects: int = Field(default=5, ge=0, le=20)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HttpPolicy:
        environ = os.environ if environ is None else environ
        allow = environ.get("MAXDP_HTTP_ALLOW_PRIVATE", "").strip().lower() in _TRUE
        return cls(allow_private=allow)


def http_policy(services: Mapping[str, Any]) -> HttpPolicy:
    policy = services.get("http_policy")
    if policy is None:
        return HttpPolicy.from_env()
    return policy if isinstance(policy, HttpPolicy) else HttpPolicy.model_validate(policy)


def redact_url(url: httpx.URL | str) -> str:
    """scheme://host[:port]/path: no credentials, no query (API keys live there)."""
    url = httpx.URL(str(url))
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}{url.path}"


def _refusal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why ``ip`` is not a public address, or None when it is."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for label, test in (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("private", ip.is_private),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
    ):
        if test:
            return label
    return None if ip.is_global else "reserved"


async def checked_address(url: httpx.URL, policy: HttpPolicy, *, field: str = "url") -> str:
    """The address to connect to for ``url``, after the policy check (resolves DNS)."""
    if url.scheme not in ("http", "https"):
        raise NodeError(f"{field}: only http and https URLs are allowed, not {url.scheme or '?'}:")
    host = url.host
    if not host:
        raise NodeError(f"{field}: the URL has no host")
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except socket.gaierror as exc:
            raise NodeError(f"{field}: cannot resolve host {host!r} ({exc.strerror})") from None
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not policy.allow_private:
        for ip in addresses:
            why = _refusal(ip)
            if why is not None:
                shown = host if str(ip) == host else f"{host} ({ip})"
                raise NodeError(
                    f"{field}: {shown} is a {why} address; requests to private, loopback and "
                    "link-local addresses are refused (the server's HTTP policy does not allow "
                    "them)"
                )
    return str(addresses[0])


@dataclass(slots=True)
class HttpResult:
    status: int
    url: str
    headers: httpx.Headers
    content: bytes
    attempts: int = 1

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self, *, field: str = "url") -> Any:
        import json

        try:
            return json.loads(self.content)
        except ValueError:
            raise NodeError(
                f"{field}: the reply of {redact_url(self.url)} is not JSON "
                f"(status {self.status}, starts {self.text[:60]!r})"
            ) from None


@dataclass(slots=True)
class Request:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    params: Mapping[str, Any] | None = None
    json: Any = None
    content: str | bytes | None = None


async def _send_once(
    client: httpx.AsyncClient, req: Request, policy: HttpPolicy, timeout: float, field: str
) -> HttpResult:
    method, url = req.method.upper(), httpx.URL(req.url)
    if req.params:
        # Merged into the URL's own query (httpx.URL(url, params=...) would replace it).
        url = url.copy_merge_params(req.params)
    headers, json_body, content = dict(req.headers), req.json, req.content
    for _hop in range(policy.max_redirects + 1):
        address = await checked_address(url, policy, field=field)
        pinned = url.copy_with(host=address)
        extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
        request = client.build_request(
            method,
            pinned,
            headers={**headers, "Host": url.netloc.decode("ascii")},
            json=json_body,
            content=content,
            timeout=timeout,
            extensions=extensions,
        )
        response = await client.send(request, stream=True)
        try:
            body = await _read_capped(response, policy.max_response_bytes, url, field)
        finally:
            await response.aclose()
        location = response.headers.get("location")
        if response.status_code not in _REDIRECTS or not location:
            return HttpResult(response.status_code, str(url), response.headers, body)
        target = url.join(location)
        if target.host != url.host:
            headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
        if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
            method, json_body, content = "GET", None, None
        url = target
    raise NodeError(
        f"{field}: more than {policy.max_redirects} redirects from {redact_url(req.url)}"
    )


async def _read_capped(response: httpx.Response, cap: int, url: httpx.URL, field: str) -> bytes:
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > cap:
            raise NodeError(f"{field}: the reply of {redact_url(url)} is larger than {cap:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _retry_delay(result: HttpResult | None, backoff_s: float, attempt: int) -> float:
    delay = backoff_s * (2**attempt)
    if result is not None:
        after = result.headers.get("retry-after", "")
        if after.strip().isdigit():
            delay = max(delay, float(after))
    return min(delay, 30.0)


async def send_request(
    client: httpx.AsyncClient,
    req: Request,
    *,
    policy: HttpPolicy,
    timeout_s: float,
    retries: int,
    backoff_s: float,
    field: str = "url",
) -> HttpResult:
    """Send ``req``; retry timeouts, connection failures, 429 and 5xx with backoff.

    Returns the last reply (which may be an error status); raises NodeError when no reply came.
    """
    timeout = min(timeout_s, policy.max_timeout_s)
    result: HttpResult | None = None
    for attempt in range(retries + 1):
        try:
            result = await _send_once(client, req, policy, timeout, field)
            result.attempts = attempt + 1
            if result.status not in RETRY_STATUSES:
                return result
            reason = f"status {result.status}"
        except httpx.TimeoutException:
            result, reason = None, f"timed out after {timeout:g}s"
        except httpx.HTTPError as exc:
            result, reason = (
                None,
                f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__,
            )
        if attempt < retries:
            await asyncio.sleep(_retry_delay(result, backoff_s, attempt))
    if result is not None:
        return result
    raise NodeError(
        f"{field}: {req.method.upper()} {redact_url(req.url)} failed after {retries + 1} "
        f"attempt{'s' if retries else ''}: {reason}"
    )


def walk_path(body: Any, path: str, *, field: str = "records_path") -> Any:
    """``body`` at the dotted ``path`` (``data.items``; a number picks a list item)."""
    current = body
    segments = [s for s in path.strip().split(".")] if path.strip() else []
    for depth, seg in enumerate(segments):
        where = ".".join(segments[:depth]) or "the reply"
        if isinstance(current, dict) and seg in current:
            current = current[seg]
        elif isinstance(current, list) and seg.isdigit() and int(seg) < len(current):
            current = current[int(seg)]
        else:
            raise NodeError(f"{field}: {seg!r} not found in {where}")
    return current


def records_table(records: Any, *, field: str = "records_path") -> pd.DataFrame:
    """An object is one row, a list of objects one row each, a list of values a ``value`` column."""
    if records is None:
        return pd.DataFrame()
    if isinstance(records, dict):
        return pd.DataFrame.from_records([records])
    if not isinstance(records, list):
        raise NodeError(f"{field}: expected an object or a list, found {type(records).__name__}")
    if not records:
        return pd.DataFrame()
    if all(isinstance(r, dict) for r in records):
        return pd.DataFrame.from_records(records)
    if any(isinstance(r, dict) for r in records):
        raise NodeError(f"{field}: the list mixes objects with other values")
    return pd.DataFrame({"value": records})


def new_client() -> httpx.AsyncClient:
    """A client that ignores proxy variables and never follows redirects on its own."""
    return httpx.AsyncClient(follow_redirects=False, trust_env=False)

"""``/execute``: calling published endpoints. The hot path.

A cached call reads the endpoint and the caller's key from memory, counts it against the rate
limit (memory, or one Redis round trip), runs the cached executor and queues the run record:
no database query. See docs/publishing.md.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from flows.errors import MaxDPError, ParameterError
from flows.executor import FlowExecutor
from max_dp_server.deps import AdminUser
from max_dp_server.errors import NotFoundError, RateLimitedError
from max_dp_server.models import RunRecord
from max_dp_server.published.answers import (
    failure_body,
    json_response,
    output_names,
    run_response,
)
from max_dp_server.published.auth import authenticate
from max_dp_server.published.directory import EndpointInfo
from max_dp_server.published.runtime import PublishedRuntime
from max_dp_server.published.shared_results import result_of
from max_dp_server.state import ServerState

try:
    from orjson import loads
except ImportError:  # pragma: no cover
    from json import loads

router = APIRouter(prefix="/execute", tags=["execute"])

# Query parameters that steer the answer; every other one is a flow parameter.
RESERVED_QUERY = frozenset({"format", "output"})
FORMATS = ("json", "csv")

_QUERY_DOC = [
    {
        "name": "format",
        "in": "query",
        "schema": {"type": "string", "enum": list(FORMATS), "default": "json"},
        "description": "csv sends one output as text/csv.",
    },
    {
        "name": "output",
        "in": "query",
        "schema": {"type": "string"},
        "description": "The output to send as CSV when the flow has several.",
    },
]
_GET_DOC = {"parameters": _QUERY_DOC}
_POST_DOC = {
    "parameters": _QUERY_DOC,
    "requestBody": {
        "required": False,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": '{"params": {...}}; for flows with a webhook_listener, any '
                    "JSON (the listener's table), parameters then come from the query string.",
                }
            }
        },
    },
}


def _invalid(field: str, message: str) -> MaxDPError:
    return MaxDPError(
        f"{field}: {message}",
        422,
        code="validation_error",
        details=[{"field": field, "message": message}],
    )


def _endpoint(rt: PublishedRuntime, name: str) -> EndpointInfo:
    info = rt.directory.endpoints.get(name)
    if info is None or not info.enabled:
        raise NotFoundError(f"no published endpoint {name!r}")
    return info


@router.get("/health")
async def health(request: Request) -> dict[str, Any]:
    """Whether this process serves endpoints (no login; no database query)."""
    rt: PublishedRuntime = request.app.state.maxdp.published
    return {
        "status": "ok",
        "endpoints": len(rt.directory.endpoints),
        "cached_executors": len(rt.workers),
        "runs_in_flight": rt.in_flight,
        "records_pending": rt.recorder.pending,
    }


@router.get("/worker-stats")
async def worker_stats(request: Request, _admin: AdminUser) -> dict[str, Any]:
    """The executor cache of this process (server admins): executors with their hits, build
    time, last use and memory estimate; hits, misses and evictions."""
    return request.app.state.maxdp.workers.stats()


async def _serve(request: Request) -> Response:
    return await execute(request.path_params["endpoint"], request)


# Calls are served by this plain Starlette route: it skips FastAPI's dependency resolution, about
# 0.1 ms of a 1 ms call. Added after /health and /worker-stats (or it would take those paths)
# and before the two routes below, which then only describe the endpoint in the OpenAPI
# document (were one ever reached, it would serve the call the same way).
router.add_route(
    f"{router.prefix}/{{endpoint}}", _serve, methods=["GET", "POST"], include_in_schema=False
)


@router.get("/{endpoint}", operation_id="execute_get", openapi_extra=_GET_DOC)
@router.post("/{endpoint}", operation_id="execute_post", openapi_extra=_POST_DOC)
async def execute(endpoint: str, request: Request) -> Response:
    """Run the published flow. GET takes parameters from the query string, POST from
    ``{"params": {...}}``. Answers ``{run_id, status, outputs: {name: [records]}, duration_ms}``
    (sync), or 202 ``{run_id, status}`` to poll (async)."""
    started = time.perf_counter()
    state: ServerState = request.app.state.maxdp
    rt = state.published
    info = _endpoint(rt, endpoint)
    try:
        caller = await authenticate(request, info, rt.directory, state.secret_key)
        if info.rate_limit is not None:
            wait = await rt.limiter.hit(f"{info.endpoint}|{caller.identity}", info.rate_limit)
            if wait:
                raise RateLimitedError(
                    f"endpoint {info.endpoint!r} allows {info.rate_limit} calls per minute; "
                    f"retry in {wait} s",
                    retry_after=wait,
                )
        executor = await rt.executor(state, info)
        params, body, fmt, output = await _read_call(request, executor)
        if info.mode == "async":
            executor.bind_params(params)  # bad parameters answer 422 now, not in the poll
    except MaxDPError as exc:
        rt.metrics.rejections.labels(info.endpoint, str(exc.status_code)).inc()
        raise
    if caller.key_id is not None:
        rt.recorder.touch_key(caller.key_id)
    if info.mode == "async":
        run_id = await rt.submit(executor, info, params, body, caller.user_id)
        location = f"/execute/{info.endpoint}/runs/{run_id}"
        return json_response(
            {"run_id": str(run_id), "status": "running"}, 202, {"Location": location}
        )
    run_id = uuid.uuid4()
    try:
        result = await rt.run(executor, info, run_id, params, body, caller.user_id)
    except ParameterError:
        rt.metrics.rejections.labels(info.endpoint, "422").inc()
        raise
    response, _ = run_response(run_id, result, fmt, output)
    rt.metrics.latency.labels(info.endpoint).observe(time.perf_counter() - started)
    return response


@router.get("/{endpoint}/runs/{run_id}")
async def poll(endpoint: str, run_id: uuid.UUID, request: Request) -> Response:
    """An asynchronous call: ``{run_id, status}`` while it runs; then the outputs like a
    synchronous answer (or ``status`` and ``error``). Needs the endpoint's own credentials."""
    state: ServerState = request.app.state.maxdp
    rt = state.published
    info = _endpoint(rt, endpoint)
    await authenticate(request, info, rt.directory, state.secret_key)
    fmt, output = _format(request, None)
    entry = rt.results.get(run_id)
    if entry is not None and entry.endpoint_id == info.id:
        if entry.result is not None and entry.status == "succeeded":
            return run_response(run_id, entry.result, fmt, output)[0]
        if entry.status == "running":
            return json_response({"run_id": str(run_id), "status": "running"})
        took = entry.result.duration_ms if entry.result is not None else None
        return json_response(_finished(run_id, entry.status, entry.error, took))
    # Run by another process: its stored outcome, with the tables when they were small enough.
    stored = await rt.shared.get(run_id, info.id)
    if stored is not None:
        if stored.status in ("running", "queued"):
            return json_response({"run_id": str(run_id), "status": stored.status})
        result = await asyncio.to_thread(result_of, stored)
        if result is not None:  # succeeded, with its tables
            return run_response(run_id, result, fmt, output)[0]
        return json_response(_finished(run_id, stored.status, stored.error, stored.duration_ms))
    # Expired, or run before results were stored: the run record, when there is one.
    async with state.sessionmaker() as session:
        run = await session.get(RunRecord, run_id)
    if run is None or run.flow_id != info.flow_id:
        raise NotFoundError(f"no run {run_id} of endpoint {info.endpoint!r}")
    return json_response(_finished(run_id, run.status, run.error, run.duration_ms))


def _finished(
    run_id: uuid.UUID, status: str, error: dict[str, Any] | None, duration_ms: float | None
) -> dict[str, Any]:
    body: dict[str, Any] = {"run_id": str(run_id), "status": status, "duration_ms": duration_ms}
    if status not in ("succeeded", "running", "queued"):
        body["error"] = failure_body(run_id, status, error)["error"]
    elif status == "succeeded":
        # Expired, or too large to store (MAXDP_EXECUTE_RESULT_SHARED_MAX_MB): kept only by
        # the process that ran it, for a while.
        body["outputs"] = None
    return body


def _format(request: Request, executor: FlowExecutor | None) -> tuple[str, str | None]:
    query = request.query_params
    fmt = query.get("format", "json")
    if fmt not in FORMATS:
        raise _invalid("format", f"{fmt!r} is not a format; use json or csv")
    output = query.get("output")
    if executor is not None and (fmt == "csv" or output is not None):
        names = output_names(executor)
        if output is not None and output not in names:
            raise _invalid("output", f"no output {output!r} (outputs: {', '.join(names)})")
        if fmt == "csv" and output is None and len(names) != 1:
            raise _invalid(
                "format",
                f"csv sends one output and this flow has {len(names)} "
                f"({', '.join(names) or 'none'}); choose one with ?output=",
            )
    return fmt, output


async def _read_call(
    request: Request, executor: FlowExecutor
) -> tuple[dict[str, Any], Any, str, str | None]:
    """(params, request body for webhook_listener, format, output) of a call."""
    fmt, output = _format(request, executor)
    query = request.query_params
    params: dict[str, Any] = {}
    for name in query:
        if name not in RESERVED_QUERY:
            values = query.getlist(name)
            params[name] = values[0] if len(values) == 1 else values
    if request.method != "POST":
        return params, None, fmt, output
    raw = await request.body()
    data: Any = None
    if raw.strip():
        try:
            data = loads(raw)
        except ValueError:
            raise _invalid("body", "the body is not valid JSON") from None
    if _listens(executor):
        return params, data, fmt, output
    if params:
        names = ", ".join(sorted(params))
        raise _invalid("query", f"send parameters in the JSON body on POST, not the URL ({names})")
    if data is None:
        return {}, None, fmt, output
    if not isinstance(data, dict):
        raise _invalid("body", 'expected a JSON object: {"params": {...}}')
    unknown = sorted(set(data) - {"params"})
    if unknown:
        raise _invalid(f"body.{unknown[0]}", 'unknown field; the body is {"params": {...}}')
    given = data.get("params") or {}
    if not isinstance(given, dict):
        raise _invalid("body.params", "expected an object of parameter values by name")
    return given, None, fmt, output


def _listens(executor: FlowExecutor) -> bool:
    """Whether the flow takes the raw body (it has a webhook_listener)."""
    return any(spec.type == "webhook_listener" for spec in executor.graph.specs.values())

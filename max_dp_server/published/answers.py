"""What ``/execute`` sends back: outputs as JSON records or CSV, error bodies, and the results
of asynchronous calls kept for polling.

Bodies are encoded with orjson when it is installed (about 5x faster than the json module on
output records); the bytes are the same JSON either way.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from flows.executor import FlowExecutor, RunResult
from flows.serialize import frame_records
from max_dp_server.errors import error_body

__all__ = ["ResultStore", "dumps", "json_response", "output_names", "run_response"]

try:
    import orjson

    def dumps(value: Any) -> bytes:
        return orjson.dumps(value)

except ImportError:  # pragma: no cover - orjson comes with langchain-core today

    def dumps(value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


JSON_TYPE = "application/json"
CSV_TYPE = "text/csv; charset=utf-8"
# A run that ended like this answers with this HTTP status (sync calls).
_STATUS_CODES = {"succeeded": 200, "failed": 500, "timed_out": 504, "canceled": 503}


def json_response(
    body: Any, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(dumps(body), status_code, headers=headers, media_type=JSON_TYPE)


def output_names(executor: FlowExecutor) -> list[str]:
    """Names of the flow's outputs (its display_results nodes), known before it runs."""
    return [
        node.output_name  # type: ignore[attr-defined]
        for node in executor.graph.nodes.values()
        if node.is_output
    ]


def success_body(run_id: uuid.UUID, result: RunResult) -> dict[str, Any]:
    return {
        "run_id": str(run_id),
        "status": result.status,
        "outputs": {name: frame_records(frame) for name, frame in result.outputs.items()},
        "duration_ms": round(result.duration_ms, 3),
    }


def failure_body(run_id: uuid.UUID, status: str, error: Mapping[str, Any] | None) -> dict[str, Any]:
    """The error of a run that did not succeed, in the API's error shape. A node failure names
    the node (``code`` node_failed, the node's own code in ``details``); never a trace."""
    error = dict(error or {})
    details = {"run_id": str(run_id), "status": status}
    if status == "failed":
        details["node_code"] = error.get("code")
        body = error_body("node_failed", error.get("message") or "a node failed", details)
        body["error"]["node_id"] = error.get("node_id")
        body["error"]["node_type"] = error.get("node_type")
        return body
    code = "timeout" if status == "timed_out" else status
    return error_body(code, error.get("message") or f"the run ended {status}", details)


def run_response(
    run_id: uuid.UUID, result: RunResult, fmt: str, output: str | None
) -> tuple[Response, int]:
    """The answer to a synchronous call, and its status code."""
    if result.status != "succeeded":
        code = _STATUS_CODES.get(result.status, 500)
        return json_response(failure_body(run_id, result.status, result.error), code), code
    if fmt == "csv":
        name = output or next(iter(result.outputs), None)
        frame = result.outputs.get(name) if name is not None else None
        text = frame.to_csv(index=False) if frame is not None else ""
        headers = {"X-Run-Id": str(run_id)}
        return Response(text, 200, headers=headers, media_type=CSV_TYPE), 200
    return json_response(success_body(run_id, result)), 200


@dataclass(slots=True)
class Pending:
    """An asynchronous call: running until ``result`` (or ``status``/``error``) is set."""

    endpoint_id: uuid.UUID
    expires: float
    status: str = "running"
    result: RunResult | None = None
    error: dict[str, Any] | None = None


class ResultStore:
    """Results of asynchronous calls in this process, for polling, for ``ttl_s`` after they
    finish (and at most ``max_items``, oldest first out)."""

    def __init__(
        self, ttl_s: float, max_items: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_s = ttl_s
        self.max_items = max_items
        self._clock = clock
        self._items: OrderedDict[uuid.UUID, Pending] = OrderedDict()
        self._next_sweep = 0.0

    def begin(self, run_id: uuid.UUID, endpoint_id: uuid.UUID) -> None:
        self._expire()
        # Running entries never expire; a finished one lives ttl_s from its end.
        self._items[run_id] = Pending(endpoint_id, float("inf"))
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)

    def finish(
        self,
        run_id: uuid.UUID,
        result: RunResult | None,
        *,
        status: str | None = None,
        error: dict[str, Any] | None = None,
    ) -> None:
        entry = self._items.get(run_id)
        if entry is None:
            return
        entry.result = result
        entry.status = result.status if result is not None else (status or "crashed")
        entry.error = result.error if result is not None else error
        entry.expires = self._clock() + self.ttl_s

    def get(self, run_id: uuid.UUID) -> Pending | None:
        self._expire()
        entry = self._items.get(run_id)
        return entry if entry is not None and entry.expires > self._clock() else None

    def _expire(self) -> None:
        now = self._clock()
        if now < self._next_sweep:
            return
        self._next_sweep = now + 1.0  # a sweep walks every entry: at most once a second
        for run_id in [k for k, v in self._items.items() if v.expires <= now]:
            del self._items[run_id]

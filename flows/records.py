"""What a run leaves behind: the run record, per-node records and progress events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from flows.serialize import frame_records

__all__ = ["NodeRun", "RunEvent", "RunResult"]

NODE_STATUSES = ("pending", "running", "succeeded", "failed", "skipped", "canceled")
RUN_STATUSES = ("succeeded", "failed", "canceled", "timed_out")


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(slots=True)
class NodeRun:
    node_id: str
    node_type: str
    status: str = "pending"
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    duration_ms: float | None = None
    rows_in: int | None = None
    rows_out: int | None = None
    attempts: int = 0
    error: dict[str, Any] | None = None
    # Why a node was skipped ("upstream failed", "branch not taken", …); None otherwise.
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "node_id": self.node_id,
            "node_type": self.node_type,
            "status": self.status,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "duration_ms": self.duration_ms,
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "attempts": self.attempts,
            "error": self.error,
            "reason": self.reason,
        }


@dataclass(slots=True)
class RunResult:
    run_id: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime
    duration_ms: float
    nodes: list[NodeRun]
    outputs: dict[str, pd.DataFrame] = field(default_factory=dict)
    previews: dict[str, pd.DataFrame] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"

    def node(self, node_id: str) -> NodeRun:
        for record in self.nodes:
            if record.node_id == node_id:
                return record
        raise KeyError(node_id)

    def to_dict(self, *, outputs: bool = False, row_limit: int | None = None) -> dict[str, Any]:
        """A JSON-safe dict; with ``outputs`` the output tables as lists of records."""
        data: dict[str, Any] = {
            "run_id": self.run_id,
            "status": self.status,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "duration_ms": self.duration_ms,
            "error": self.error,
            "params": {k: _jsonable_param(v) for k, v in self.params.items()},
            "nodes": [n.to_dict() for n in self.nodes],
        }
        if outputs:
            data["outputs"] = {k: frame_records(v, row_limit) for k, v in self.outputs.items()}
        return data


def _jsonable_param(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value


@dataclass(slots=True)
class RunEvent:
    kind: str  # run_started | node_started | node_finished | run_finished
    run_id: str
    node_id: str | None = None
    status: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "run_id": self.run_id,
            "node_id": self.node_id,
            "status": self.status,
            "data": self.data,
        }

"""Resource limits of a code run: per-node values within server-wide maxima.

>>> maxima = SandboxLimits(cpu_seconds=10, memory_mb=1024)
>>> SandboxLimits().merged({"cpu_seconds": 60, "memory_mb": None}).capped(maxima).cpu_seconds
10.0
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["SandboxLimits"]


class SandboxLimits(BaseModel):
    """CPU, memory, wall clock and output size of one run, and how long a worker lives."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cpu_seconds: float = Field(5.0, gt=0, le=3600, description="CPU time of one run.")
    memory_mb: int = Field(
        512, ge=32, le=1 << 20, description="Memory one run may allocate, above the worker's own."
    )
    wall_seconds: float = Field(10.0, gt=0, le=3600, description="Elapsed time of one run.")
    max_output_rows: int = Field(1_000_000, ge=0, description="Rows the code may return.")
    runs_per_worker: int = Field(100, ge=1, description="Runs before a worker is replaced.")

    def merged(self, overrides: Mapping[str, Any] | SandboxLimits | None) -> SandboxLimits:
        """These limits with the non-None values of ``overrides`` (a node's own fields)."""
        if overrides is None:
            return self
        if isinstance(overrides, SandboxLimits):
            overrides = overrides.model_dump()
        changes = {
            k: v for k, v in overrides.items() if v is not None and k in type(self).model_fields
        }
        return self.model_validate({**self.model_dump(), **changes}) if changes else self

    def capped(self, maxima: SandboxLimits) -> SandboxLimits:
        """Each value at most the server-wide maximum."""
        values = {
            name: min(getattr(self, name), getattr(maxima, name))
            for name in type(self).model_fields
        }
        return self.model_validate(values)

    def for_worker(self) -> dict[str, Any]:
        return {
            "cpu_seconds": self.cpu_seconds,
            "memory_mb": self.memory_mb,
            "max_output_rows": self.max_output_rows,
        }

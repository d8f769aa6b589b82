"""The one error tree of MAX DP.

Every error the engine, the nodes or the server raise on purpose is a ``MaxDPError``. The server
renders it as ``{"error": {"code", "message", "details"}}`` with ``status_code``; the CLI prints
``message`` on one line. Anything else is a bug and is reported without its stack trace.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ConfigError",
    "ExpressionError",
    "FlowTimeoutError",
    "FlowValidationError",
    "MaxDPError",
    "NodeError",
    "ParameterError",
    "Problem",
]


class MaxDPError(Exception):
    """Base of every deliberate error: a message a user can act on, and an HTTP status."""

    status_code: int = 400
    code: str = "bad_request"

    def __init__(
        self,
        message: str,
        status_code: int | None = None,
        *,
        code: str | None = None,
        details: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code
        if code is not None:
            self.code = code
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class Problem(dict):
    """One validation finding: ``{"code", "message", "node_id", "edge", "field"}``.

    A dict (not a model) so it serialises as-is in API answers and CLI output.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        node_id: str | None = None,
        edge: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(code=code, message=message, node_id=node_id, edge=edge, field=field)

    @property
    def message(self) -> str:
        return self["message"]


class FlowValidationError(MaxDPError):
    """A flow document has one or more problems; ``problems`` lists every one of them."""

    status_code = 422
    code = "invalid_flow"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        count = len(problems)
        head = problems[0]["message"] if problems else "invalid flow"
        more = f" (and {count - 1} more)" if count > 1 else ""
        super().__init__(f"{head}{more}", details=list(problems))


class ParameterError(MaxDPError):
    """Run parameters do not match the flow's declared parameters."""

    status_code = 422
    code = "invalid_parameters"


class ConfigError(MaxDPError):
    """A node's configuration is wrong in a way its pydantic model cannot tell (e.g. bad regex)."""

    status_code = 422
    code = "invalid_config"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message, details={"field": field} if field else None)
        self.field = field


class ExpressionError(ConfigError):
    """An expression is not valid in the safe language; names the offending part and position."""

    code = "invalid_expression"

    def __init__(self, message: str, *, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position
        self.details = {"position": position} if position is not None else None


class NodeError(MaxDPError):
    """A node failed while running. Raised by nodes for failures they understand."""

    status_code = 500
    code = "node_failed"


class FlowTimeoutError(MaxDPError):
    status_code = 504
    code = "timeout"

"""Per-run guard state: the refusal message (sticky), the print buffer, the user's line.

>>> state = begin_run()
>>> try:
...     refuse("guard: attribute 'x' is not allowed")
... except GuardViolation:
...     pass
>>> state.violation
"guard: attribute 'x' is not allowed"
"""

from __future__ import annotations

import builtins
import sys
from typing import Any, NoReturn

__all__ = ["USER_FILENAME", "GuardViolation", "begin_run", "refuse", "run_state", "user_line"]

# The filename user code is compiled under: how guards find user frames and user functions.
USER_FILENAME = "<code node>"
_PRINT_LIMIT = 64 * 1024
_MESSAGE_LIMIT = 300


class GuardViolation(Exception):
    """A guard refused an operation. The message starts with ``guard:``."""


class _Printer:
    """``print`` target for one run, shared by every function scope, capped in size."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> None:
        if self.size < _PRINT_LIMIT:
            self.parts.append(text[: _PRINT_LIMIT - self.size])
            self.size += len(text)

    def __call__(self) -> str:
        return "".join(self.parts)

    def _call_print(
        self, *objects: Any, sep: str | None = " ", end: str | None = "\n", **kw: Any
    ) -> None:
        if kw.get("file") is not None:
            refuse("guard: print(file=...) is not allowed")
        builtins.print(*objects, sep=sep, end=end, file=self)


class _RunState:
    def __init__(self) -> None:
        self.violation: str | None = None
        self.printer = _Printer()


_STATE = _RunState()


def begin_run() -> _RunState:
    """Reset the per-run state (the worker runs one script at a time)."""
    global _STATE
    _STATE = _RunState()
    return _STATE


def run_state() -> _RunState:
    return _STATE


def user_line() -> int | None:
    """Line of the innermost user-code frame on the current stack."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename == USER_FILENAME:
            return frame.f_lineno
        frame = frame.f_back
    return None


def refuse(message: str) -> NoReturn:
    """Record (first one wins) and raise a refusal, naming the user's line."""
    if len(message) > _MESSAGE_LIMIT:  # attribute names are the user's and may be huge
        message = message[:_MESSAGE_LIMIT] + "…"
    line = user_line()
    full = f"{message} (line {line})" if line is not None else message
    if _STATE.violation is None:
        _STATE.violation = full
    raise GuardViolation(full)

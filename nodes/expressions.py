"""The safe expression language (interface stub; being implemented)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from flows.errors import ExpressionError

__all__ = ["Expression", "compile_expression", "evaluate_mask"]


class Expression:
    source: str
    columns: frozenset[str]
    parameters: frozenset[str]

    def evaluate(
        self, df: pd.DataFrame, params: Mapping[str, Any], names: Mapping[str, Any] | None = None
    ) -> Any:
        raise NotImplementedError


def compile_expression(text: str) -> Expression:
    raise ExpressionError("expressions are not implemented yet")


def evaluate_mask(
    expr: Expression, df: pd.DataFrame, params: Mapping[str, Any], names: Mapping[str, Any] | None = None
) -> pd.Series:
    raise NotImplementedError

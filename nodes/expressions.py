"""The safe expression language of filter conditions, computed columns and branch conditions.

Text is parsed with ``ast`` after backticks and ``@params`` become placeholders
(``nodes._expr_parse``), checked node by node against an allowlist and compiled once into small
closures (``nodes._expr_compile``) over vectorised, null-aware pandas operations
(``nodes._expr_eval``, functions in ``nodes._expr_funcs``). User text never reaches ``eval``,
``exec``, ``DataFrame.query`` or ``DataFrame.eval``.

The language:

- Names are columns: ``amount``, ``금액``; backticks for any other name: ```unit price```,
  ```_id```. Bare names (not backticked ones) look in ``names`` first (``row_count``). Python
  NFKC-normalises bare names, so use backticks to match a column name exactly.
- ``@name`` is the flow parameter ``name``; a list parameter may follow ``in``.
- Literals: numbers, 'text' or "text", ``true``/``false``/``null`` (or ``True``/``False``/``None``;
  a column with one of these names needs backticks).
- ``+ - * / // % **`` (``**`` computes in floats; ``+`` joins two texts), comparisons
  ``== != < <= > >=`` (chains like ``0 < x <= 10`` too), ``in``/``not in`` a literal list,
  ``and``/``or``/``not``, ``a if cond else b`` and the functions in ``FUNCTIONS``.

Nulls follow SQL's three-valued (Kleene) logic, carried as pandas' nullable ``boolean``:
a comparison with null is null, including ``!=`` and ``not in`` (pandas says True), and
``not null`` is null. ``false and null`` is false, ``true or null`` is true. ``evaluate_mask``
turns null into False, so such rows leave a filter (and go to its ``rejected`` side). A null
condition in ``if_else``/``a if c else b`` takes the else branch. Arithmetic with null is null;
division by zero gives inf/NaN as in pandas. Comparing text with numbers (or dates with numbers)
is an error naming both sides, not an all-False result.

>>> df = pd.DataFrame({"region": ["KR", "US", None], "amount": [10, 3, 7]})
>>> expr = compile_expression("amount > 5 and region == @region")
>>> sorted(expr.columns), sorted(expr.parameters)
(['amount', 'region'], ['region'])
>>> evaluate_mask(expr, df, {"region": "KR"}).tolist()
[True, False, False]
>>> compile_expression("region != 'KR'").evaluate(df, {}).tolist()
[False, True, <NA>]
>>> compile_expression("round(10 / 4, 1)").evaluate(df, {})
2.5
>>> compile_expression("().__class__")
Traceback (most recent call last):
...
flows.errors.ExpressionError: attribute access is not allowed: .__class__ (at position 2)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from flows.errors import NodeError
from nodes._expr_compile import Node, compile_tree
from nodes._expr_eval import Env, to_mask
from nodes._expr_funcs import FUNCTIONS
from nodes._expr_parse import Parsed, parse

__all__ = ["FUNCTIONS", "Expression", "Parsed", "compile_expression", "evaluate_mask", "parse"]

# `parse` gives the placeholder-substituted syntax tree with positions, for translators of the
# same language to other targets (nodes.sql_conditions turns it into SQL WHERE clauses).


class Expression:
    """A compiled expression: checked and turned into closures once, evaluated many times."""

    __slots__ = ("_desc", "_fn", "columns", "parameters", "source")

    def __init__(
        self, source: str, root: Node, columns: frozenset[str], parameters: frozenset[str]
    ) -> None:
        self.source = source
        self.columns = columns  # column names referenced (bare names may resolve from `names`)
        self.parameters = parameters
        self._fn = root.fn
        self._desc = root.desc

    def evaluate(
        self,
        df: pd.DataFrame | None,
        params: Mapping[str, Any],
        names: Mapping[str, Any] | None = None,
    ) -> Any:
        """A Series aligned with ``df``, or a scalar when no column is involved."""
        env = Env(df, params if params is not None else {}, names)
        try:
            with np.errstate(all="ignore"):
                return self._fn(env)
        except (TypeError, ValueError, ArithmeticError) as exc:
            # Anything the operations did not already turn into a NodeError.
            raise NodeError(f"cannot evaluate {self.source!r}: {exc}") from exc

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"


def compile_expression(text: str) -> Expression:
    """Parse, check and compile ``text``; raise ExpressionError naming what is wrong and where."""
    compiled = compile_tree(parse(text))
    return Expression(text, compiled.root, compiled.columns, compiled.params)


def evaluate_mask(
    expr: Expression,
    df: pd.DataFrame,
    params: Mapping[str, Any],
    names: Mapping[str, Any] | None = None,
) -> pd.Series:
    """The expression as a plain bool Series over ``df.index``; null counts as False."""
    return to_mask(expr.evaluate(df, params, names), df.index, expr._desc)

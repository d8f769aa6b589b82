"""Expression-language conditions (``where``) translated to SQLAlchemy Core, never to SQL text.

The text is parsed exactly as ``nodes.expressions`` parses it (same preprocessing of backticks
and ``@params``, same ``ast``), then only this subset is translated; everything else is refused
with a message naming the part: comparisons (chains too), ``and``/``or``/``not``, ``in`` /
``not in`` a literal list or a list ``@param``, ``is_null(x)``/``not_null(x)``, columns,
literals and ``@params``. Literals and parameters become bound parameters.

Nulls behave as in the expression language: comparing with null is null (the row leaves), and
nulls in an ``in`` list are ignored. Comparing with a literal ``null`` is refused (use
``is_null``): SQLAlchemy would turn it into ``IS NULL``, which means something else.

>>> from sqlalchemy.dialects import postgresql
>>> cond = SqlCondition("`주문 금액` >= @min and region in ('KR', 'JP') and not_null(email)")
>>> sorted(cond.columns), sorted(cond.parameters)
(['email', 'region', '주문 금액'], ['min'])
>>> clause = cond.build({"min": 10})  # values are bound; shown inline here to read them
>>> print(clause.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
"주문 금액" >= 10 AND "region" IN ('KR', 'JP') AND "email" IS NOT NULL
>>> SqlCondition("amount * 2 > 10")
Traceback (most recent call last):
...
flows.errors.ConfigError: where: 'amount * 2' cannot run in the database (supported: ...)
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa

from flows.errors import ConfigError, ExpressionError, NodeError
from nodes.expressions import Parsed, parse
from nodes.sql import sql_column

__all__ = ["SqlCondition"]

_SUPPORTED = (
    "supported: comparisons, and, or, not, in, is_null(), not_null(), columns, literals "
    "and @parameters"
)
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}
_CMP: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}
_NOT_LITERAL = object()
Builder = Callable[[Mapping[str, Any]], Any]  # params -> SQLAlchemy element


class SqlCondition:
    """A ``where`` condition checked once; ``build(params)`` gives the Core expression."""

    def __init__(self, text: str, *, field: str = "where") -> None:
        self.field = field
        try:
            self._parsed: Parsed = parse(text)
        except ExpressionError as exc:
            raise ConfigError(f"{field}: {exc.message}", field=field) from None
        self.columns: set[str] = set()
        self.parameters: set[str] = set()
        self._build = self._bool(self._parsed.tree.body)

    def build(self, params: Mapping[str, Any]) -> sa.ColumnElement[bool]:
        missing = sorted(self.parameters - set(params))
        if missing:
            raise NodeError(f"{self.field}: parameter @{missing[0]} has no value")
        return self._build(params)

    # -- checking and translating ------------------------------------------------------------
    def _refuse(self, node: ast.AST, why: str | None = None) -> ConfigError:
        snippet = self._parsed.snippet(node)
        message = why or f"{snippet!r} cannot run in the database ({_SUPPORTED})"
        return ConfigError(f"{self.field}: {message}", field=self.field)

    def _bool(self, node: ast.AST) -> Builder:
        """A condition: and/or/not, a comparison, a null test, or a (boolean) column."""
        if isinstance(node, ast.BoolOp):
            parts = [self._bool(v) for v in node.values]
            join = sa.and_ if isinstance(node.op, ast.And) else sa.or_
            return lambda p: join(*(part(p) for part in parts))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self._bool(node.operand)
            return lambda p: sa.not_(inner(p))
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.Call):
            return self._null_test(node)
        if isinstance(node, ast.Name) and self._is_column(node):
            column = self._value(node)
            return lambda p: column(p)
        value = self._literal(node)
        if isinstance(value, bool):
            return lambda p: sa.true() if value else sa.false()
        raise self._refuse(node)

    def _compare(self, node: ast.Compare) -> Builder:
        left, steps = node.left, []
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                steps.append(self._membership(left, right, negated=isinstance(op, ast.NotIn)))
            elif type(op) in _CMP:
                if self._literal(left) is None or self._literal(right) is None:
                    raise self._refuse(
                        node, "comparing with null is never true: use is_null(x) or not_null(x)"
                    )
                a, b, fn = self._value(left), self._value(right), _CMP[type(op)]
                steps.append(lambda p, a=a, b=b, fn=fn: fn(a(p), b(p)))
            else:
                raise self._refuse(node, "'is' is not allowed: use is_null(x) or not_null(x)")
            left = right
        return steps[0] if len(steps) == 1 else lambda p: sa.and_(*(s(p) for s in steps))

    def _membership(self, left: ast.AST, right: ast.AST, *, negated: bool) -> Builder:
        subject = self._value(left)
        if isinstance(right, ast.List | ast.Tuple):
            for elt in right.elts:
                if self._literal(elt) is _NOT_LITERAL:
                    raise self._refuse(elt, "the list after 'in' may hold only literal values")
            # Nulls in the list are ignored, as in the expression language.
            values = [v for v in (self._literal(e) for e in right.elts) if v is not None]
            param: Builder = lambda p: sa.bindparam(  # noqa: E731
                "maxdp_list", values, expanding=True, unique=True
            )
        elif isinstance(right, ast.Name) and right.id in self._parsed.params:
            name = self._parsed.params[right.id]
            self.parameters.add(name)

            def param(p: Mapping[str, Any]) -> Any:
                value = p[name]
                items = list(value) if isinstance(value, list | tuple | set) else [value]
                values = [v for v in items if v is not None]
                return sa.bindparam(f"maxdp_p_{name}", values, expanding=True, unique=True)
        else:
            raise self._refuse(right, "after 'in' write a list such as ('a', 'b') or a @parameter")
        if negated:
            return lambda p: subject(p).not_in(param(p))
        return lambda p: subject(p).in_(param(p))

    def _null_test(self, node: ast.Call) -> Builder:
        func = node.func
        if (
            not isinstance(func, ast.Name)
            or func.id not in ("is_null", "not_null")
            or len(node.args) != 1
            or node.keywords
        ):
            raise self._refuse(node)
        subject = self._value(node.args[0])
        if func.id == "is_null":
            return lambda p: subject(p).is_(None)
        return lambda p: subject(p).is_not(None)

    def _is_column(self, node: ast.Name) -> bool:
        return node.id in self._parsed.columns or (
            node.id not in self._parsed.params and node.id not in _LITERALS
        )

    def _literal(self, node: ast.AST) -> Any:
        """The Python value of a literal node (``-3`` included), else ``_NOT_LITERAL``."""
        if isinstance(node, ast.Constant) and (
            node.value is None or isinstance(node.value, bool | int | float | str)
        ):
            return node.value
        if isinstance(node, ast.Name) and node.id in _LITERALS:
            return _LITERALS[node.id]
        if (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.USub | ast.UAdd)
            and isinstance(node.operand, ast.Constant)
            and isinstance(node.operand.value, int | float)
            and not isinstance(node.operand.value, bool)
        ):
            value = node.operand.value
            return -value if isinstance(node.op, ast.USub) else value
        return _NOT_LITERAL

    def _value(self, node: ast.AST) -> Builder:
        """An operand: a column, a literal or a parameter, as a Core element."""
        if isinstance(node, ast.Name):
            if node.id in self._parsed.params:
                name = self._parsed.params[node.id]
                self.parameters.add(name)
                return lambda p: sa.bindparam(f"maxdp_p_{name}", p[name], unique=True)
            if node.id in self._parsed.columns or node.id not in _LITERALS:
                if node.id not in self._parsed.columns and node.id.startswith("_"):
                    raise self._refuse(node, f"names starting with '_' need backticks: `{node.id}`")
                name = self._parsed.columns.get(node.id, node.id)
                self.columns.add(name)
                column = sql_column(name)
                return lambda p: column
        value = self._literal(node)
        if value is _NOT_LITERAL or value is None:
            raise self._refuse(node)
        return lambda p: sa.bindparam("maxdp_literal", value, unique=True)

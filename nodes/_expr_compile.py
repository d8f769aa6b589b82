"""AST -> closures: the allowlist of syntax, checked node by node while the closures are built.

Every node type the language allows has a handler in ``_HANDLERS``; anything else is refused
with a message naming it and its position. Sub-expressions made only of literals are evaluated
once here ("constant folding"), through the same operations as columns, so ``**`` never builds a
huge integer and a literal type error shows up when the flow is built, not when it runs.

>>> from nodes._expr_parse import parse
>>> compiled = compile_tree(parse("price * 2 > @limit"))
>>> sorted(compiled.columns), sorted(compiled.params), compiled.root.desc
(['price'], ['limit'], "'price * 2 > @limit'")
>>> compile_tree(parse("1 + 2 * 3")).root.value
7
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from flows.errors import ExpressionError, NodeError
from nodes._expr_eval import (
    EMPTY,
    Env,
    arithmetic,
    as_bool,
    choose,
    compare,
    describe,
    is_in,
    is_null,
    logic_and,
    logic_not,
    logic_or,
    lookup,
    negate,
    param_list,
    param_scalar,
)
from nodes._expr_funcs import FUNCTIONS, ArgError, Function
from nodes._expr_parse import MAX_DEPTH, MAX_EXPONENT, MAX_NODES, MAX_STRING, Parsed

__all__ = ["Compiled", "Node", "compile_tree"]

_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}
_BINOPS = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/",
    ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**",
}  # fmt: skip
_CMPOPS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_REFUSED_OPS = {
    ast.BitAnd: ("&", " (use 'and')"), ast.BitOr: ("|", " (use 'or')"),
    ast.Invert: ("~", " (use 'not')"), ast.BitXor: ("^", ""), ast.LShift: ("<<", ""),
    ast.RShift: (">>", ""), ast.MatMult: ("@", ""),
}  # fmt: skip
_REFUSED = {
    ast.Subscript: "subscripts ([...]) are not allowed",
    ast.Slice: "slices are not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "generator expressions are not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.FormattedValue: "f-strings are not allowed",
    ast.Starred: "starred expressions (*) are not allowed",
    ast.NamedExpr: "assignment (:=) is not allowed",
    ast.Dict: "dict literals ({...}) are not allowed",
    ast.Set: "set literals ({...}) are not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
    ast.List: "a list is only allowed after 'in' / 'not in'",
    ast.Tuple: "a list is only allowed after 'in' / 'not in'",
}


@dataclass(slots=True)
class Node:
    """A compiled sub-expression: its closure, a description for messages, its folded value."""

    fn: Callable[[Env], Any]
    desc: str
    const: bool = False
    value: Any = None


def _literal_desc(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


class _Compiler:
    """One pass over the tree: check each node against the allowlist and build its closure."""

    def __init__(self, parsed: Parsed) -> None:
        self.p = parsed
        self.count = 0
        self.columns: set[str] = set()
        self.params: set[str] = set()

    def expr(self, node: ast.AST, depth: int) -> Node:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.p.error(f"expression is too large (more than {MAX_NODES:,} parts)", node)
        if depth > MAX_DEPTH:
            raise self.p.error(
                f"expression is nested too deeply (more than {MAX_DEPTH} levels)", node
            )
        handler = _HANDLERS.get(type(node))
        if handler is None:
            raise self._refusal(node)
        return handler(self, node, depth + 1)

    def _refusal(self, node: ast.AST) -> ExpressionError:
        if isinstance(node, ast.Attribute):
            dot = self.p.text.rfind(".", 0, self.p.end(node) - len(node.attr))
            message = f"attribute access is not allowed: .{node.attr}"
            return self.p.error(message, position=dot if dot >= 0 else self.p.start(node))
        return self.p.error(_REFUSED.get(type(node), f"{type(node).__name__} is not allowed"), node)

    def _done(self, node: ast.AST, fn: Callable, parts: list[Node], volatile: bool = False) -> Node:
        """Fold a sub-expression made only of literals into its value, once, here."""
        desc = f"'{self.p.snippet(node)}'"
        if volatile or not all(part.const for part in parts):
            return Node(fn, desc)
        try:
            with np.errstate(all="ignore"):
                value = fn(EMPTY)
        except NodeError as exc:
            raise self.p.error(exc.message, node) from None
        return Node(lambda env: value, desc, const=True, value=value)

    def _op_error(self, message: str, sym: str, left: ast.AST, right: ast.AST) -> ExpressionError:
        at = self.p.text.find(sym, self.p.end(left), max(self.p.start(right), self.p.end(left)))
        return self.p.error(message, left, position=at if at >= 0 else None)

    # -- leaves ---------------------------------------------------------------------------
    def expression(self, node: ast.Expression, depth: int) -> Node:
        return self.expr(node.body, depth - 1)

    def constant(self, node: ast.Constant, depth: int) -> Node:
        value = node.value
        if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 63:
            raise self.p.error("integer literal is too large (more than 64 bits)", node)
        if isinstance(value, str) and len(value) > MAX_STRING:
            raise self.p.error(f"text literal is too long (the limit is {MAX_STRING:,})", node)
        if value is not None and not isinstance(value, bool | int | float | str):
            raise self.p.error(f"{type(value).__name__} literals are not allowed", node)
        return Node(lambda env: value, _literal_desc(value), const=True, value=value)

    def name(self, node: ast.Name, depth: int) -> Node:
        ident = node.id
        if ident in self.p.columns:  # backticks: always a column
            name = self.p.columns[ident]
            self.columns.add(name)
            return Node(lambda env: lookup(env.df, name), f"column {name!r}")
        if ident in self.p.params:
            name = self.p.params[ident]
            self.params.add(name)
            return Node(param_scalar(name), f"@{name}")
        if ident.startswith("_"):
            raise self.p.error(
                f"names starting with '_' are not allowed: {ident} "
                f"(for a column of that name write `{ident}`)",
                node,
            )
        if ident in _LITERALS:
            value = _LITERALS[ident]
            return Node(lambda env: value, ident, const=True, value=value)
        self.columns.add(ident)

        def column(env: Env) -> Any:
            if env.names is not None and ident in env.names:
                return env.names[ident]
            return lookup(env.df, ident)

        return Node(column, f"column {ident!r}")

    # -- operators ------------------------------------------------------------------------
    def unary_op(self, node: ast.UnaryOp, depth: int) -> Node:
        if type(node.op) in _REFUSED_OPS:
            sym, hint = _REFUSED_OPS[type(node.op)]
            raise self.p.error(f"operator '{sym}' is not allowed{hint}", node)
        x = self.expr(node.operand, depth)
        if isinstance(node.op, ast.Not):
            return self._done(node, lambda env: logic_not(as_bool(x.fn(env), x.desc)), [x])
        sym = "-" if isinstance(node.op, ast.USub) else "+"
        return self._done(node, lambda env: negate(sym, x.fn(env), x.desc), [x])

    def bin_op(self, node: ast.BinOp, depth: int) -> Node:
        if type(node.op) not in _BINOPS:
            sym, hint = _REFUSED_OPS.get(type(node.op), (type(node.op).__name__, ""))
            raise self._op_error(
                f"operator '{sym}' is not allowed{hint}", sym, node.left, node.right
            )
        sym = _BINOPS[type(node.op)]
        a, b = self.expr(node.left, depth), self.expr(node.right, depth)
        exponent = b.value if sym == "**" and b.const else None
        if isinstance(exponent, int | float) and abs(exponent) > MAX_EXPONENT:
            raise self.p.error(
                f"exponent {exponent:g} is too large (the limit is {MAX_EXPONENT:,})", node.right
            )
        return self._done(
            node, lambda env: arithmetic(sym, a.fn(env), b.fn(env), a.desc, b.desc), [a, b]
        )

    def bool_op(self, node: ast.BoolOp, depth: int) -> Node:
        parts = [self.expr(v, depth) for v in node.values]
        combine = logic_and if isinstance(node.op, ast.And) else logic_or

        def fn(env: Env) -> Any:
            result = as_bool(parts[0].fn(env), parts[0].desc)
            for part in parts[1:]:
                result = combine(result, as_bool(part.fn(env), part.desc))
            return result

        return self._done(node, fn, parts)

    def compare(self, node: ast.Compare, depth: int) -> Node:
        left = self.expr(node.left, depth)
        steps: list[tuple[str, Node]] = []
        last = len(node.ops) - 1
        for i, (op, right) in enumerate(zip(node.ops, node.comparators, strict=True)):
            if isinstance(op, ast.In | ast.NotIn):
                if i != last:
                    raise self.p.error("'in' must be the last comparison of a chain", right)
                steps.append(
                    ("not in" if isinstance(op, ast.NotIn) else "in", self._in_list(right, depth))
                )
            elif type(op) in _CMPOPS:
                steps.append((_CMPOPS[type(op)], self.expr(right, depth)))
            else:
                sym = "is not" if isinstance(op, ast.IsNot) else "is"
                message = f"'{sym}' is not allowed: use is_null(x) or not_null(x)"
                raise self._op_error(
                    message, "is", node.left if i == 0 else node.comparators[i - 1], right
                )

        def fn(env: Env) -> Any:
            a, da, result = left.fn(env), left.desc, None
            for i, (sym, right) in enumerate(steps):
                if sym in ("in", "not in"):
                    step = is_in(a, right.fn(env), da, negated=sym == "not in")
                else:
                    b = right.fn(env)
                    step = compare(sym, a, b, da, right.desc)
                    a, da = b, right.desc
                result = step if i == 0 else logic_and(result, step)
            return result

        return self._done(node, fn, [left, *(right for _, right in steps)])

    def _in_list(self, node: ast.AST, depth: int) -> Node:
        if isinstance(node, ast.List | ast.Tuple):
            self.count += 1
            items = [self.expr(e, depth + 1) for e in node.elts]
            for item, elt in zip(items, node.elts, strict=True):
                if not item.const:
                    raise self.p.error("the list after 'in' may hold only literal values", elt)
            values = tuple(item.value for item in items)
            return Node(lambda env: values, f"'{self.p.snippet(node)}'", const=True, value=values)
        if isinstance(node, ast.Name) and node.id in self.p.params:
            name = self.p.params[node.id]
            self.params.add(name)
            return Node(param_list(name), f"@{name}")
        raise self.p.error("after 'in' write a list such as ('a', 'b') or a @parameter", node)

    def if_exp(self, node: ast.IfExp, depth: int) -> Node:
        c, a, b = (self.expr(n, depth) for n in (node.test, node.body, node.orelse))
        return self._done(
            node, lambda env: choose(c.fn(env), a.fn(env), b.fn(env), c.desc), [c, a, b]
        )

    def call(self, node: ast.Call, depth: int) -> Node:
        func = node.func
        if not isinstance(func, ast.Name):
            self.expr(func, depth)  # refuses attributes, lambdas, subscripts … with their message
            raise self.p.error("only functions can be called, as in lower(name)", func)
        name = func.id
        if name in self.p.columns or name in self.p.params:
            raise self.p.error("only functions can be called, as in lower(name)", func)
        if name.startswith("_"):
            raise self.p.error(f"names starting with '_' are not allowed: {name}", func)
        spec = FUNCTIONS.get(name)
        if spec is None:
            allowed = ", ".join(FUNCTIONS)
            raise self.p.error(f"unknown function '{name}' (allowed: {allowed})", func)
        for kw in node.keywords:
            what = f"{kw.arg}=" if kw.arg else "**"
            raise self.p.error(f"keyword arguments are not allowed: {what}", kw)
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.p.error("starred arguments (*) are not allowed", arg)
        n, low, high = len(node.args), spec.min_args, spec.max_args
        if n < low or (high is not None and n > high):
            want = _arity(low, high)
            raise self.p.error(f"{name}() takes {want} argument(s), got {n}", node)
        args = [self.expr(a, depth) for a in node.args]
        if name == "if_else":
            c, a, b = args
            fn = lambda env: choose(c.fn(env), a.fn(env), b.fn(env), c.desc)  # noqa: E731
        else:
            fn = _call(name, spec, args)
        return self._done(node, fn, args, volatile=spec.volatile)


# The allowlist of syntax: any node type not listed here is refused.
_HANDLERS: dict[type[ast.AST], Callable[[_Compiler, Any, int], Node]] = {
    ast.Expression: _Compiler.expression,
    ast.Constant: _Compiler.constant,
    ast.Name: _Compiler.name,
    ast.UnaryOp: _Compiler.unary_op,
    ast.BinOp: _Compiler.bin_op,
    ast.BoolOp: _Compiler.bool_op,
    ast.Compare: _Compiler.compare,
    ast.IfExp: _Compiler.if_exp,
    ast.Call: _Compiler.call,
}


def _arity(low: int, high: int | None) -> str:
    if high is None:
        return f"{low} or more"
    return f"{low}" if low == high else f"{low} to {high}"


def _call(name: str, spec: Function, args: list[Node]) -> Callable[[Env], Any]:
    impl, strict = spec.impl, spec.strict

    def fn(env: Env) -> Any:
        values = [a.fn(env) for a in args]
        if strict and values and is_null(values[0]):
            return None
        try:
            return impl(*values)
        except ArgError as exc:
            got = describe(values[exc.index], args[exc.index].desc)
            raise NodeError(
                f"{name}(): argument {exc.index + 1} must be {exc.expected}, got {got}"
            ) from None
        except (TypeError, ValueError, AttributeError, OverflowError, re.error) as exc:
            shown = ", ".join(describe(v, a.desc) for v, a in zip(values, args, strict=True))
            raise NodeError(f"{name}() cannot work on {shown}: {exc}") from exc

    return fn


@dataclass(frozen=True)
class Compiled:
    root: Node
    columns: frozenset[str] = field(default_factory=frozenset)
    params: frozenset[str] = field(default_factory=frozenset)


def compile_tree(parsed: Parsed) -> Compiled:
    """Check ``parsed`` against the allowlist and build its closures."""
    compiler = _Compiler(parsed)
    root = compiler.expr(parsed.tree, 0)
    return Compiled(root, frozenset(compiler.columns), frozenset(compiler.params))

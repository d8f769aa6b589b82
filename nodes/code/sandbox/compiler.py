"""Compile user code with RestrictedPython (never plain ``compile``) under a stricter policy.

The same function runs in the server when a flow is built (so syntax and guard errors are
reported before anything runs, naming the line) and in the worker, which executes the result.
On top of RestrictedPython's own policy (no ``_names``, no ``exec``/``eval``, no ``try/except*``,
no frame or generator attributes) this refuses class definitions, imports outside the short
module list, attributes that are refused on every object (``format``, ``to_csv``, ``eval`` …)
and names of dangerous builtins (``open``, ``globals`` …) the code does not define itself.

>>> compile_script("result = df").source
'result = df'
>>> compile_script("x = 1\\nresult = x.__class__")
Traceback (most recent call last):
...
nodes.code.sandbox.compiler.CodeError: guard: attribute '__class__' is not allowed (line 2)
>>> compile_function("lambda value: value * 2").params
('value',)
"""

from __future__ import annotations

import ast
import re
import textwrap
import warnings
from dataclasses import dataclass
from types import CodeType

from RestrictedPython import compile_restricted
from RestrictedPython.transformer import RestrictingNodeTransformer

from nodes.code.sandbox.allowlist import MODULE_NAMES, is_denied_everywhere
from nodes.code.sandbox.runstate import USER_FILENAME

__all__ = ["USER_FILENAME", "CodeError", "CompiledCode", "compile_function", "compile_script"]

FUNCTION_NAME = "user_function"
MAX_CODE_CHARS = 100_000

# Builtins that are simply absent at run time; refusing them here gives a clear build error.
_ABSENT_BUILTINS = frozenset(
    {
        "open", "exec", "eval", "compile", "globals", "locals", "vars", "dir", "setattr",
        "delattr", "breakpoint", "input", "memoryview", "type", "object", "super",
        "classmethod", "staticmethod", "property", "exit", "quit", "help", "copyright",
        "credits", "license", "id",
    }
)  # fmt: skip


class CodeError(Exception):
    """User code that cannot run: a syntax error or a guard refusal, naming the line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class CompiledCode:
    source: str
    code: CodeType
    # apply_function: the lambda's parameter names, or ("value", "row") for a function body.
    params: tuple[str, ...] = ()
    uses_row: bool = False


_RP_MESSAGES = [
    (re.compile(r'"(.+)" is an invalid attribute name'), "guard: attribute '{0}' is not allowed"),
    (re.compile(r'"(.+)" is a restricted name'), "guard: attribute '{0}' is not allowed"),
    (re.compile(r'"(.+)" is an invalid variable name'), "guard: name '{0}' is not allowed"),
    (re.compile(r'"(.+)" is a reserved name'), "guard: name '{0}' is reserved"),
    (re.compile(r"TryStar statements"), "guard: try/except* is not allowed"),
    (re.compile(r"(Exec|Eval) calls"), "guard: exec() and eval() are not allowed"),
    (
        re.compile(r"Augmented assignment of (attributes|object items)"),
        "guard: augmented assignment to an item or attribute is not supported; "
        "write df['x'] = df['x'] + 1",
    ),
    (re.compile(r"(\w+) statements are not allowed"), "guard: {0} statements are not allowed"),
]


def _translate(info: str) -> str:
    for pattern, template in _RP_MESSAGES:
        match = pattern.search(info)
        if match:
            return template.format(*match.groups())
    return f"guard: {info}"


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's transformer with MAX DP's extra refusals and plain messages."""

    defined: frozenset[str] = frozenset()

    def error(self, node: ast.AST, info: str) -> None:
        line = getattr(node, "lineno", None)
        message = info if info.startswith("guard: ") else _translate(info)
        self.errors.append(f"{message} (line {line})" if line else message)

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self.error(node, "guard: class definitions are not allowed")
        return node

    def visit_Import(self, node: ast.Import) -> ast.AST:
        for alias in node.names:
            if alias.name not in MODULE_NAMES:
                self.error(node, f"guard: import of {alias.name!r} is not allowed")
        return super().visit_Import(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        if node.level or node.module not in MODULE_NAMES:
            self.error(node, f"guard: import of {node.module or '.'!r} is not allowed")
        return super().visit_ImportFrom(node)

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        # RestrictedPython reports ``_names`` and frame attributes itself; add the rest.
        if not node.attr.startswith("_") and is_denied_everywhere(node.attr):
            self.error(node, f"guard: attribute {node.attr!r} is not allowed")
        return super().visit_Attribute(node)

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if (
            isinstance(node.ctx, ast.Load)
            and node.id in _ABSENT_BUILTINS
            and node.id not in self.defined
        ):
            self.error(node, f"guard: name {node.id!r} is not allowed")
        return super().visit_Name(node)


def _defined_names(tree: ast.AST) -> frozenset[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".")[0])
    return frozenset(names)


def _parse(source: str, mode: str = "exec") -> ast.AST:
    if len(source) > MAX_CODE_CHARS:
        raise CodeError(f"code is longer than {MAX_CODE_CHARS} characters")
    try:
        return ast.parse(source, USER_FILENAME, mode)
    except SyntaxError as exc:
        raise CodeError(f"syntax error: {exc.msg} (line {exc.lineno})", exc.lineno) from None
    except (RecursionError, MemoryError):
        raise CodeError("code is nested too deeply") from None


def _restricted(tree: ast.Module) -> CodeType:
    policy = type("Policy", (_Policy,), {"defined": _defined_names(tree)})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return compile_restricted(tree, filename=USER_FILENAME, mode="exec", policy=policy)
    except SyntaxError as exc:
        if exc.args and isinstance(exc.args[0], tuple):  # RestrictedPython's collected errors
            first = str(exc.args[0][0])
            line = re.search(r"\(line (\d+)\)$", first)
            raise CodeError(first, int(line.group(1)) if line else None) from None
        # Python's own compile step after the transform, e.g. 'return' outside function.
        raise CodeError(f"syntax error: {exc.msg} (line {exc.lineno})", exc.lineno) from None
    except (RecursionError, MemoryError):
        raise CodeError("code is nested too deeply") from None


def compile_script(source: str) -> CompiledCode:
    """run_python_script: a module that must assign ``result``."""
    tree = _parse(source)
    assert isinstance(tree, ast.Module)
    sets_result = any(
        isinstance(n, ast.Name) and n.id == "result" and not isinstance(n.ctx, ast.Load)
        for n in ast.walk(tree)
    )
    code = _restricted(tree)
    if not sets_result:
        raise CodeError("the code never sets `result` (assign the output table to result)")
    return CompiledCode(source, code)


def compile_function(source: str) -> CompiledCode:
    """apply_function: ``lambda value: ...``, a bare expression, or a body that returns."""
    text = source.strip()
    try:
        expr = ast.parse(text, USER_FILENAME, "eval").body
    except SyntaxError:
        expr = None
    except (RecursionError, MemoryError):
        raise CodeError("code is nested too deeply") from None
    if isinstance(expr, ast.Lambda):
        lam = ast.parse(text, USER_FILENAME, "exec")
        params = tuple(a.arg for a in expr.args.posonlyargs + expr.args.args)
        if not 1 <= len(params) <= 2 or expr.args.vararg or expr.args.kwarg:
            raise CodeError("the lambda must take one argument (value or row) or two (value, row)")
        stmt = lam.body[0]
        assert isinstance(stmt, ast.Expr)
        assign = ast.Assign(targets=[ast.Name(FUNCTION_NAME, ast.Store())], value=stmt.value)
        ast.copy_location(assign, stmt)
        tree = ast.Module(body=[ast.fix_missing_locations(assign)], type_ignores=[])
        # One parameter gets the value (the row without a column), two get (value, row).
        return CompiledCode(source, _restricted(tree), params, uses_row=len(params) == 2)
    body = _parse(textwrap.dedent(source)).body if expr is None else [_return(text)]
    if not any(isinstance(n, ast.Return) for stmt in body for n in ast.walk(stmt)):
        raise CodeError("the function body never returns a value (end it with `return ...`)")
    args = ast.arguments(
        posonlyargs=[],
        args=[ast.arg("value"), ast.arg("row")],
        kwonlyargs=[],
        kw_defaults=[],
        defaults=[ast.Constant(None)],
    )
    func = ast.FunctionDef(
        name=FUNCTION_NAME,
        args=args,
        body=body,
        decorator_list=[],
        returns=None,
        type_comment=None,
        lineno=1,
        col_offset=0,
    )
    tree = ast.Module(body=[ast.fix_missing_locations(func)], type_ignores=[])
    uses_row = any(isinstance(n, ast.Name) and n.id == "row" for n in ast.walk(tree))
    return CompiledCode(source, _restricted(tree), ("value", "row"), uses_row=uses_row)


def _return(text: str) -> ast.Return:
    """A bare expression (``value * 2``) is the function's return value."""
    expr = ast.parse(text, USER_FILENAME, "exec").body[0]
    assert isinstance(expr, ast.Expr)
    return ast.copy_location(ast.Return(value=expr.value), expr)

"""Checks on callables and function names passed to ``apply``/``map``/``agg``/``transform``.

pandas calls what it is given, and resolves a string with ``getattr`` on the object
(``df.agg("to_pickle", path)`` would write a file). So the methods in
``allowlist.CALLBACK_METHODS`` are wrapped: a callable must be user code, a safe builtin, a
wrapped-module member or an allowlisted method; a function name must be a known reduction.

>>> from nodes.code.sandbox import policy  # registers the safe builtins and module members
>>> is_safe_callable(len), is_safe_callable(print)
(True, False)
"""

from __future__ import annotations

import functools
import inspect
import types
from collections.abc import Callable
from typing import Any

from nodes.code.sandbox import allowlist as al
from nodes.code.sandbox.modules import SafeModule
from nodes.code.sandbox.runstate import USER_FILENAME, refuse
from nodes.code.sandbox.typetable import CLASS_ATTRS, instance_attrs

__all__ = ["checked_callback", "is_safe_callable", "register_safe"]

_SAFE_CALLABLES: dict[int, Any] = {}


def register_safe(value: Any) -> None:
    if callable(value):
        _SAFE_CALLABLES[id(value)] = value  # the dict keeps the object alive, so ids stay unique


def is_safe_callable(fn: Any) -> bool:
    """A function the user code defined, a safe builtin, a wrapped-module member or an
    allowlisted method; anything else is refused where a callback is expected."""
    if id(fn) in _SAFE_CALLABLES:
        return True
    if isinstance(fn, types.FunctionType):
        return fn.__code__.co_filename == USER_FILENAME
    if isinstance(fn, (types.MethodType, types.BuiltinMethodType)):
        owner = fn.__self__
        if owner is None or isinstance(owner, (types.ModuleType, SafeModule)):
            return False
        if isinstance(owner, type):
            return fn.__name__ in CLASS_ATTRS.get(owner, frozenset())
        return fn.__name__ in instance_attrs(type(owner)) and fn.__name__ not in al.CALLBACK_METHODS
    return False


def _check_callable(value: Any, what: str) -> None:
    if callable(value) and not is_safe_callable(value):
        refuse(
            f"guard: {what} accepts only functions defined in the code or safe builtins, "
            f"not {type(value).__name__}"
        )


def _check_func_spec(value: Any, what: str, names_are_functions: bool) -> None:
    """``func`` of agg/apply/transform: a callable, a safe function name, or lists/dicts of them."""
    if isinstance(value, str):
        if names_are_functions and value not in al.SAFE_FUNCTION_NAMES:
            refuse(f"guard: {what} does not accept the function name {value!r}")
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_func_spec(item, what, names_are_functions)
    elif isinstance(value, dict):
        for item in value.values():
            _check_func_spec(item, what, names_are_functions)
    else:
        _check_callable(value, what)


def _check_data(value: Any, what: str, depth: int = 0) -> None:
    _check_callable(value, what)
    if depth < 3 and isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            _check_data(item, what, depth + 1)
    elif depth < 3 and isinstance(value, dict):
        for item in value.values():
            _check_data(item, what, depth + 1)


_FUNC_PARAMS = frozenset({"func", "arg", "aggfunc", "function", "mapper"})


@functools.lru_cache(maxsize=512)
def _signature(fn: Callable[..., Any]) -> inspect.Signature | None:
    try:
        return inspect.signature(fn)
    except (TypeError, ValueError):
        return None


def checked_callback(method: Callable[..., Any], name: str) -> Callable[..., Any]:
    """Wrap a callable-taking method so each call checks its callables and function names."""
    what = f"{name}()"
    names_are_functions = name not in ("map", "applymap")
    sig = _signature(getattr(method, "__func__", method))
    skip_self = isinstance(method, types.MethodType)

    def call(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("engine") not in (None, "cython") or kwargs.get("engine_kwargs"):
            refuse(f"guard: {what} does not accept engine=")
        arguments = _bind(sig, skip_self, args, kwargs, what)
        for pname, value in arguments.items():
            param = sig.parameters.get(pname) if sig is not None else None
            if pname in _FUNC_PARAMS:
                _check_func_spec(value, what, names_are_functions)
            elif (
                param is not None
                and param.kind is param.VAR_KEYWORD
                and name in ("agg", "aggregate")
            ):
                for spec in value.values():  # named aggregation: out=("column", func)
                    _check_func_spec(spec[1] if isinstance(spec, tuple) else spec, what, True)
            else:
                _check_data(value, what)
        return method(*args, **kwargs)

    return call


def _bind(
    sig: inspect.Signature | None, skip_self: bool, args: tuple, kwargs: dict, what: str
) -> dict[str, Any]:
    if sig is not None:
        params = list(sig.parameters.values())[1 if skip_self else 0 :]
        try:
            return dict(sig.replace(parameters=params).bind_partial(*args, **kwargs).arguments)
        except TypeError as exc:
            # The real call would fail the same way; refusing here means nothing is passed on
            # that the checks have not seen in its proper place.
            raise TypeError(f"{what}: {exc}") from None
    bound = dict(kwargs)
    if args:
        bound["func"] = args[0]
        bound["args_rest"] = args[1:]
    return bound

"""The run-time guards RestrictedPython calls into, the safe builtins and the run namespace.

RestrictedPython rewrites ``a.b`` to ``_getattr_(a, "b")``, ``a[b]`` to ``_getitem_(a, b)``,
``a[b] = c`` to ``_write_(a)[b] = c`` and so on; this module supplies those functions.
The central invariant: every callable user code can reach is a function it defined, a safe
builtin, a member of a wrapped module, or a method allowed by ``allowlist``. Nothing reaches a
module object, a frame, or a method that does I/O.

A refusal is sticky: the first one is recorded for the run, so ``try: ... except: pass`` around
a probe does not hide it; the run fails with that message.

>>> guarded_getattr("abc", "upper")()
'ABC'
>>> guarded_getattr("abc", "format")
Traceback (most recent call last):
...
nodes.code.sandbox.runstate.GuardViolation: guard: attribute 'format' is not allowed
>>> guarded_import("os")
Traceback (most recent call last):
...
nodes.code.sandbox.runstate.GuardViolation: guard: import of 'os' is not allowed
"""

from __future__ import annotations

import builtins
import operator
import sys
import types
from collections.abc import Callable
from typing import Any

import pandas as pd
from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence

from nodes.code.sandbox import allowlist as al
from nodes.code.sandbox.callbacks import checked_callback, is_safe_callable, register_safe
from nodes.code.sandbox.modules import SafeModule, build_modules
from nodes.code.sandbox.runstate import (
    USER_FILENAME,
    GuardViolation,
    begin_run,
    refuse,
    run_state,
)
from nodes.code.sandbox.typetable import (
    CLASS_ATTRS,
    GROUPED_TYPES,
    WRITABLE_ATTRS,
    WRITABLE_ITEMS,
    callback_names,
    instance_attrs,
)

__all__ = [
    "USER_FILENAME",
    "GuardViolation",
    "begin_run",
    "guarded_getattr",
    "is_safe_callable",
    "new_namespace",
    "run_state",
]

_MISSING = object()


# -- the guards ------------------------------------------------------------------------------


def _screen(value: Any, name: str) -> Any:
    if isinstance(value, (types.ModuleType, types.FrameType, types.CodeType, types.TracebackType)):
        refuse(f"guard: attribute {name!r} is not allowed")
    return value


def guarded_getattr(obj: Any, name: Any, default: Any = _MISSING) -> Any:
    """``_getattr_``: allowlisted attributes by type; everything else is refused."""
    if type(name) is not str:
        raise TypeError("attribute name must be a string")
    if al.is_denied_everywhere(name):
        refuse(f"guard: attribute {name!r} is not allowed")
    if isinstance(obj, SafeModule):
        found, value = obj.member(name)
        if found:
            return value
        refuse(f"guard: {obj!r} has no attribute {name!r}")
    kind = type(obj)
    allowed = CLASS_ATTRS.get(obj, frozenset()) if isinstance(obj, type) else instance_attrs(kind)
    if name in allowed:
        try:
            value = getattr(obj, name)
        except AttributeError as exc:
            if default is not _MISSING:
                return default
            # A fresh error: the original carries ``obj`` and would be the same object anyway,
            # but keep what escapes the guard minimal.
            raise AttributeError(str(exc)) from None
        if name in callback_names(kind) and callable(value):
            return checked_callback(value, name)
        return _screen(value, name)
    if isinstance(obj, pd.DataFrame) and name in obj.columns:
        return obj[name]  # ``df.amount``: by item, so a column named like a method is safe
    if isinstance(obj, GROUPED_TYPES):
        base = getattr(obj, "obj", None)  # ``df.groupby("k").amount`` / ``.rolling(3).amount``
        if isinstance(base, pd.DataFrame) and name in base.columns:
            return obj[name]
    if isinstance(obj, tuple) and name in getattr(kind, "_fields", ()):
        return _screen(getattr(obj, name), name)  # namedtuple fields: itertuples() rows
    refuse(f"guard: attribute {name!r} is not allowed on {_type_name(obj)}")


def _type_name(obj: Any) -> str:
    return obj.__name__ if isinstance(obj, type) else type(obj).__name__


def guarded_getattr_builtin(obj: Any, name: Any, *default: Any) -> Any:
    """The ``getattr`` builtin: the same guard (a computed name changes nothing)."""
    return guarded_getattr(obj, name, *default[:1])


def guarded_hasattr(obj: Any, name: Any) -> bool:
    try:
        guarded_getattr(obj, name)
    except AttributeError:
        return False
    return True


def guarded_getitem(obj: Any, key: Any) -> Any:
    if isinstance(obj, SafeModule):
        refuse("guard: modules cannot be indexed")
    value = obj[key]
    if isinstance(value, types.ModuleType):
        refuse("guard: item is a module")
    return value


class _WriteProxy:
    """What ``_write_`` returns for pandas objects: item writes pass, attribute writes are
    limited to a few harmless names (``df.columns = [...]``)."""

    __slots__ = ("_target",)

    def __init__(self, target: Any) -> None:
        object.__setattr__(self, "_target", target)

    def __setitem__(self, key: Any, value: Any) -> None:
        target = object.__getattribute__(self, "_target")
        if not isinstance(target, WRITABLE_ITEMS):
            refuse(f"guard: item assignment on {_type_name(target)} is not allowed")
        target[key] = value

    def __delitem__(self, key: Any) -> None:
        target = object.__getattribute__(self, "_target")
        if not isinstance(target, WRITABLE_ITEMS):
            refuse(f"guard: item deletion on {_type_name(target)} is not allowed")
        del target[key]

    def __setattr__(self, name: str, value: Any) -> None:
        target = object.__getattribute__(self, "_target")
        for kind, names in WRITABLE_ATTRS.items():
            if isinstance(target, kind) and name in names:
                setattr(target, name, value)
                return
        refuse(f"guard: setting attribute {name!r} on {_type_name(target)} is not allowed")

    def __delattr__(self, name: str) -> None:
        refuse(f"guard: deleting attribute {name!r} is not allowed")


def guarded_write(obj: Any) -> Any:
    """``_write_``: the target of ``x[k] = v`` / ``x.a = v`` / ``del``."""
    if type(obj) in (dict, list):
        return obj  # built-in dict/list refuse attribute writes themselves
    if isinstance(obj, (*WRITABLE_ITEMS, pd.Index)):
        return _WriteProxy(obj)
    refuse(f"guard: changing {_type_name(obj)} objects is not allowed")


_INPLACE = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "**=": operator.ipow,
    "<<=": operator.ilshift,
    ">>=": operator.irshift,
    "&=": operator.iand,
    "|=": operator.ior,
    "^=": operator.ixor,
    "@=": operator.imatmul,
}


def guarded_inplacevar(op: str, target: Any, value: Any) -> Any:
    return _INPLACE[op](target, value)


def guarded_apply(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return fn(*args, **kwargs)


MODULES = build_modules(checked_callback)


def guarded_import(
    name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0
) -> Any:
    # C code such as datetime.strftime imports ``time`` through PyImport_Import, which calls
    # the ``__import__`` of the running frame's builtins with an empty *list* as fromlist.
    # An ``import`` statement passes None or a tuple, and user code cannot name this function,
    # so that call shape is the interpreter's: hand it the already loaded module (never load
    # a new one). The module goes to the C caller, not to user code.
    if type(fromlist) is list and not fromlist and level == 0 and name in sys.modules:
        return sys.modules[name]
    if level != 0 or name not in MODULES:
        refuse(f"guard: import of {name!r} is not allowed")
    return MODULES[name]


# -- builtins and the namespace ----------------------------------------------------------------

_BUILTIN_NAMES = """
    abs all any ascii bin bool bytes callable chr complex dict divmod enumerate filter float
    frozenset hash hex int isinstance issubclass iter len list map max min next oct ord pow
    range repr reversed round set slice sorted str sum tuple zip
    ArithmeticError AssertionError AttributeError Exception FloatingPointError ImportError
    IndexError KeyError LookupError NameError NotImplementedError OverflowError RecursionError
    RuntimeError StopIteration TypeError UnicodeError ValueError ZeroDivisionError
"""
SAFE_BUILTINS: dict[str, Any] = {n: getattr(builtins, n) for n in _BUILTIN_NAMES.split()}
SAFE_BUILTINS.update({"None": None, "True": True, "False": False, "Ellipsis": Ellipsis})
SAFE_BUILTINS.update(
    {"getattr": guarded_getattr_builtin, "hasattr": guarded_hasattr, "__import__": guarded_import}
)

for _value in SAFE_BUILTINS.values():
    register_safe(_value)
for _module in MODULES.values():
    for _value in _module.members().values():
        register_safe(_value)
for _cls, _names in CLASS_ATTRS.items():
    for _name in _names:
        register_safe(getattr(_cls, _name, None))


def new_namespace(values: dict[str, Any]) -> dict[str, Any]:
    """Globals for one run: the guards, safe builtins, ``pd``/``np`` and ``values``."""
    state = run_state()
    namespace: dict[str, Any] = {
        "__builtins__": dict(SAFE_BUILTINS),
        "__name__": "code_node",
        "_getattr_": guarded_getattr,
        "_getitem_": guarded_getitem,
        "_write_": guarded_write,
        "_getiter_": iter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_inplacevar_": guarded_inplacevar,
        "_apply_": guarded_apply,
        "_print_": lambda _getattr_=None: state.printer,
        "pd": MODULES["pandas"],
        "np": MODULES["numpy"],
    }
    namespace.update(values)
    return namespace

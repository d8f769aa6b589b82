"""Where connection specs come from: the ``ConnectionStore`` protocol and the YAML file.

The server implements ``ConnectionStore`` over its ``maxdp_connections`` table (decrypting
secrets); the CLI reads a YAML file. ``${ENV_VAR}`` in any string value is replaced from the
environment after YAML parsing, so a password never has to be written in the file (``$$``
writes a literal ``$``).

>>> store = parse_connections(
...     {"connections": {"crm": {"kind": "mysql", "url": "${CRM_URL}", "read_only": True}}},
...     env={"CRM_URL": "mysql://reader:s3cret@db/crm"},
... )
>>> import asyncio
>>> asyncio.run(store.get("crm"))
ConnectionSpec(name='crm', kind='mysql', read_only=True)
>>> asyncio.run(store.get("nope"))
Traceback (most recent call last):
...
flows.errors.NodeError: connection 'nope' not found (configured: crm)
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import yaml
from pydantic import ValidationError

from flows.errors import ConfigError, NodeError
from nodes.connections.spec import ConnectionSpec

__all__ = [
    "ConnectionStore",
    "StaticConnectionStore",
    "load_connections_file",
    "parse_connections",
]

_ENV_REF = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@runtime_checkable
class ConnectionStore(Protocol):
    """Resolves a connection name to its spec (secrets decrypted).

    ``get`` raises ``NodeError("connection 'x' not found")`` for an unknown name. It is called
    once per node run, so the service notices a connection edited on the server.
    """

    async def get(self, name: str) -> ConnectionSpec: ...


class StaticConnectionStore:
    """A fixed set of specs (the CLI's file, tests, a one-off ``connections/test``)."""

    def __init__(self, specs: Iterable[ConnectionSpec] | Mapping[str, ConnectionSpec] = ()) -> None:
        items = specs.values() if isinstance(specs, Mapping) else specs
        self._specs: dict[str, ConnectionSpec] = {}
        for spec in items:
            if spec.name in self._specs:
                raise ConfigError(f"connection {spec.name!r} is declared twice")
            self._specs[spec.name] = spec

    def names(self) -> list[str]:
        return sorted(self._specs)

    async def get(self, name: str) -> ConnectionSpec:
        spec = self._specs.get(name)
        if spec is None:
            known = ", ".join(self.names()) or "none"
            raise NodeError(f"connection {name!r} not found (configured: {known})")
        return spec


def _substitute(value: Any, env: Mapping[str, str], where: str) -> Any:
    if isinstance(value, str):

        def repl(match: re.Match[str]) -> str:
            var = match.group(1)
            if var is None:
                return "$"
            if var not in env:
                raise ConfigError(f"{where}: environment variable {var} is not set")
            return env[var]

        return _ENV_REF.sub(repl, value)
    if isinstance(value, dict):
        return {k: _substitute(v, env, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, env, where) for v in value]
    return value


def parse_connections(
    document: Any, *, env: Mapping[str, str] | None = None, source: str = "connections"
) -> StaticConnectionStore:
    """Specs from a parsed document ``{"connections": {name: {kind, url, …}}}``."""
    env = os.environ if env is None else env
    if not isinstance(document, dict) or not isinstance(document.get("connections"), dict):
        raise ConfigError(f"{source}: expected a mapping 'connections: {{name: {{kind: …}}}}'")
    extra = set(document) - {"connections"}
    if extra:
        raise ConfigError(f"{source}: unknown top-level key {sorted(extra)[0]!r}")
    specs = []
    for name, body in document["connections"].items():
        where = f"{source}: connection {name!r}"
        if not isinstance(body, dict):
            raise ConfigError(f"{where}: expected a mapping of settings")
        if "name" in body and body["name"] != name:
            raise ConfigError(f"{where}: 'name' differs from its key {name!r}")
        body = _substitute({**body, "name": str(name)}, env, where)
        try:
            specs.append(ConnectionSpec.model_validate(body))
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            # Never echo the input: it may be a password.
            message = first["msg"].removeprefix("Value error, ")
            raise ConfigError(f"{where}: {loc + ': ' if loc else ''}{message}") from None
    return StaticConnectionStore(specs)


def load_connections_file(
    path: str | Path, *, env: Mapping[str, str] | None = None
) -> StaticConnectionStore:
    """Read a YAML connections file (``maxdp run --connections FILE``)."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read connections file ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}: not valid YAML{at}") from None
    return parse_connections(document, env=env, source=str(path))

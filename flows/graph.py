"""Validation and ordering of a flow document.

``build_graph`` turns a document into a ``FlowGraph`` (nodes instantiated, edges resolved to
ports, a topological order) or raises ``FlowValidationError`` listing every problem at once.
``validate_flow`` returns the problems instead of raising.

>>> doc = {"name": "loop", "nodes": [
...     {"id": "a", "type": "sort_data", "config": {"by": ["x"]}},
...     {"id": "b", "type": "sort_data", "config": {"by": ["x"]}}],
...     "edges": [{"source": "a", "target": "b"}, {"source": "b", "target": "a"}]}
>>> [p["message"] for p in validate_flow(doc)]
['cycle through nodes a -> b -> a']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from typing import Any

from pydantic import ValidationError

from flows.errors import ConfigError, FlowValidationError, MaxDPError, Problem
from flows.model import Edge, Flow, NodeSpec
from nodes.base import MaxDPNode, Port
from nodes.registry import NodeRegistry, default_registry

__all__ = ["FlowGraph", "InEdge", "build_graph", "validate_flow"]


@dataclass(frozen=True, slots=True)
class InEdge:
    source: str
    source_port: str
    target_port: str


@dataclass(slots=True)
class FlowGraph:
    flow: Flow
    specs: dict[str, NodeSpec]
    nodes: dict[str, MaxDPNode]
    order: list[str]
    inbound: dict[str, list[InEdge]]
    # Every node a node waits for: data sources plus, for try_catch, the nodes it watches.
    upstream: dict[str, set[str]]
    downstream: dict[str, set[str]] = field(default_factory=dict)
    # node id -> the try_catch nodes watching it.
    watchers: dict[str, list[str]] = field(default_factory=dict)
    # node id -> output ports read by an edge (plus `out` of flow outputs).
    wanted: dict[str, frozenset[str]] = field(default_factory=dict)

    def ancestors(self, node_id: str) -> set[str]:
        """``node_id`` and every node it waits for, directly or not."""
        seen, stack = {node_id}, [node_id]
        while stack:
            for up in self.upstream[stack.pop()]:
                if up not in seen:
                    seen.add(up)
                    stack.append(up)
        return seen


def validate_flow(
    doc: Mapping[str, Any] | Flow, registry: NodeRegistry | None = None
) -> list[Problem]:
    """Every problem of ``doc``; an empty list when it is valid. Never raises for bad input."""
    try:
        build_graph(doc, registry)
    except FlowValidationError as exc:
        return exc.problems
    return []


def build_graph(doc: Mapping[str, Any] | Flow, registry: NodeRegistry | None = None) -> FlowGraph:
    registry = registry or default_registry()
    flow = _parse(doc)
    problems: list[Problem] = []
    _check_parameters(flow, problems)
    specs, nodes = _instantiate(flow, registry, problems)
    inbound, upstream = _resolve_edges(flow, specs, nodes, problems)
    _check_required_inputs(nodes, inbound, flow.edges, problems)
    watchers = _add_scopes(specs, nodes, upstream, problems)
    order = _order(upstream, problems) if not problems else []
    _check_parameter_refs(flow, nodes, problems)
    if problems:
        raise FlowValidationError(problems)
    downstream: dict[str, set[str]] = {nid: set() for nid in nodes}
    for nid, ups in upstream.items():
        for up in ups:
            downstream[up].add(nid)
    wanted: dict[str, set[str]] = {
        nid: {"out"} if n.is_output else set() for nid, n in nodes.items()
    }
    for edges in inbound.values():
        for e in edges:
            wanted[e.source].add(e.source_port)
    return FlowGraph(
        flow,
        specs,
        nodes,
        order,
        inbound,
        upstream,
        downstream,
        watchers,
        {nid: frozenset(ports) for nid, ports in wanted.items()},
    )


def _parse(doc: Mapping[str, Any] | Flow) -> Flow:
    if isinstance(doc, Flow):
        return doc
    if not isinstance(doc, Mapping):
        raise FlowValidationError([Problem("invalid_document", "a flow document is a JSON object")])
    try:
        return Flow.model_validate(doc)
    except ValidationError as exc:
        raise FlowValidationError([_document_problem(doc, err) for err in exc.errors()]) from None


def _document_problem(doc: Mapping[str, Any], err: Mapping[str, Any]) -> Problem:
    loc = list(err["loc"])
    where = ".".join(map(str, loc))
    node_id = edge = None
    if len(loc) >= 2 and loc[0] == "nodes" and isinstance(loc[1], int):
        raw = (doc.get("nodes") or [])[loc[1]]
        node_id = raw.get("id") if isinstance(raw, Mapping) else None
        where = ".".join(map(str, loc[2:])) or "node"
        return Problem(
            "invalid_document",
            f"node {node_id or loc[1]!r}: {where}: {err['msg']}",
            node_id=node_id,
            field=where,
        )
    if len(loc) >= 2 and loc[0] == "edges" and isinstance(loc[1], int):
        edge = loc[1]
    return Problem("invalid_document", f"{where}: {err['msg']}", edge=edge, field=where)


def _check_parameters(flow: Flow, problems: list[Problem]) -> None:
    from flows.params import check_default

    seen: set[str] = set()
    for param in flow.parameters:
        if param.name in seen:
            problems.append(
                Problem(
                    "duplicate_parameter",
                    f"parameter {param.name!r} is declared twice",
                    field=f"parameters.{param.name}",
                )
            )
        seen.add(param.name)
        message = check_default(param)
        if message:
            problems.append(
                Problem(
                    "invalid_parameter",
                    f"parameter {param.name!r}: {message}",
                    field=f"parameters.{param.name}.default",
                )
            )


def _instantiate(
    flow: Flow, registry: NodeRegistry, problems: list[Problem]
) -> tuple[dict[str, NodeSpec], dict[str, MaxDPNode]]:
    specs: dict[str, NodeSpec] = {}
    nodes: dict[str, MaxDPNode] = {}
    for spec in flow.nodes:
        if spec.id in specs:
            problems.append(
                Problem("duplicate_id", f"node id {spec.id!r} is used twice", node_id=spec.id)
            )
            continue
        specs[spec.id] = spec
        if spec.type not in registry:
            problems.append(
                Problem(
                    "unknown_type",
                    f"node {spec.id!r}: unknown node type {spec.type!r}",
                    node_id=spec.id,
                    field="type",
                )
            )
            continue
        cls = registry.get(spec.type)
        try:
            config = cls.Config.model_validate(spec.config)
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(map(str, err["loc"])) or "config"
                problems.append(
                    Problem(
                        "invalid_config",
                        f"node {spec.id!r}: {where}: {err['msg']}",
                        node_id=spec.id,
                        field=where,
                    )
                )
            continue
        try:
            nodes[spec.id] = cls(spec.id, config)
        except ConfigError as exc:
            problems.append(
                Problem(
                    exc.code, f"node {spec.id!r}: {exc.message}", node_id=spec.id, field=exc.field
                )
            )
        except MaxDPError as exc:
            problems.append(
                Problem("invalid_config", f"node {spec.id!r}: {exc.message}", node_id=spec.id)
            )
    return specs, nodes


def _port(
    ports: tuple[Port, ...], name: str | None, side: str, node_id: str
) -> tuple[str | None, str]:
    """The port an edge names (or the only one); an error message when there is none."""
    names = [p.name for p in ports]
    if name is None:
        if len(names) == 1:
            return names[0], ""
        # The main port (filter_rows' `out` beside `rejected`) needs no name.
        main = "out" if side == "output" else "in"
        if main in names:
            return main, ""
        if not names:
            return None, f"node {node_id!r} has no {side} ports"
        return None, f"node {node_id!r} has several {side} ports ({', '.join(names)}): name one"
    if name not in names:
        have = ", ".join(names) or "none"
        return None, f"node {node_id!r} has no {side} port {name!r} (ports: {have})"
    return name, ""


def _resolve_edges(
    flow: Flow, specs: dict[str, NodeSpec], nodes: dict[str, MaxDPNode], problems: list[Problem]
) -> tuple[dict[str, list[InEdge]], dict[str, set[str]]]:
    inbound: dict[str, list[InEdge]] = {nid: [] for nid in specs}
    upstream: dict[str, set[str]] = {nid: set() for nid in specs}
    for i, edge in enumerate(flow.edges):
        label = f"edge {i} ({edge.source} -> {edge.target})"
        dangling = [end for end in (edge.source, edge.target) if end not in specs]
        for end in dangling:
            problems.append(
                Problem("dangling_edge", f"{label}: no node {end!r}", edge=i, node_id=end)
            )
        if dangling:
            continue
        if edge.source == edge.target:
            problems.append(
                Problem("cycle", f"{label}: a node cannot feed itself", edge=i, node_id=edge.source)
            )
            continue
        src, dst = nodes.get(edge.source), nodes.get(edge.target)
        if src is None or dst is None:
            continue  # the node itself is already reported
        sport, err1 = _port(src.outputs, edge.source_port, "output", edge.source)
        tport, err2 = _port(dst.inputs, edge.target_port, "input", edge.target)
        for err, nid, fld in (
            (err1, edge.source, "source_port"),
            (err2, edge.target, "target_port"),
        ):
            if err:
                problems.append(
                    Problem("unknown_port", f"{label}: {err}", edge=i, node_id=nid, field=fld)
                )
        if sport is None or tport is None:
            continue
        inbound[edge.target].append(InEdge(edge.source, sport, tport))
        upstream[edge.target].add(edge.source)
    for nid, node in nodes.items():
        for port in node.inputs:
            feeding = [e for e in inbound[nid] if e.target_port == port.name]
            if not port.many and len(feeding) > 1:
                sources = ", ".join(e.source for e in feeding)
                problems.append(
                    Problem(
                        "port_taken",
                        f"node {nid!r}: input port {port.name!r} takes one "
                        f"edge, got {len(feeding)} (from {sources})",
                        node_id=nid,
                        field=port.name,
                    )
                )
    return inbound, upstream


def _check_required_inputs(
    nodes: dict[str, MaxDPNode],
    inbound: dict[str, list[InEdge]],
    edges: list[Edge],
    problems: list[Problem],
) -> None:
    # A node at the end of an edge already reported (bad port, missing source) is not also
    # reported as unconnected: that would be the same mistake twice.
    reported = {edges[p["edge"]].target for p in problems if p["edge"] is not None}
    reported |= {e.target for e in edges if e.source not in nodes}  # its node is reported
    for nid, node in nodes.items():
        if nid in reported:
            continue
        wired = {e.target_port for e in inbound[nid]}
        for port in node.inputs:
            if not port.optional and port.name not in wired:
                problems.append(
                    Problem(
                        "unconnected_input",
                        f"node {nid!r}: input port {port.name!r} is not connected",
                        node_id=nid,
                        field=port.name,
                    )
                )


def _add_scopes(
    specs: dict[str, NodeSpec],
    nodes: dict[str, MaxDPNode],
    upstream: dict[str, set[str]],
    problems: list[Problem],
) -> dict[str, list[str]]:
    """Make each try_catch wait for the nodes it watches; return node -> watching try_catch ids."""
    watchers: dict[str, list[str]] = {}
    catchers = [nid for nid, node in nodes.items() if node.catches_failures]
    for cid in catchers:
        below = _descendants(cid, upstream)
        scope = list(getattr(nodes[cid].config, "scope", []) or [])
        if scope:
            for target in scope:
                if target not in specs:
                    problems.append(
                        Problem(
                            "unknown_scope",
                            f"node {cid!r}: scope names no node {target!r}",
                            node_id=cid,
                            field="scope",
                        )
                    )
                elif target in below or target == cid:
                    problems.append(
                        Problem(
                            "cycle",
                            f"node {cid!r}: cannot watch {target!r}, which runs after it",
                            node_id=cid,
                            field="scope",
                        )
                    )
        else:
            scope = [n for n in specs if n != cid and n not in catchers and n not in below]
        for target in scope:
            if target in specs and target not in below and target != cid:
                upstream[cid].add(target)
                watchers.setdefault(target, []).append(cid)
    return watchers


def _descendants(node_id: str, upstream: dict[str, set[str]]) -> set[str]:
    below: set[str] = set()
    frontier = {node_id}
    while frontier:
        frontier = {n for n, ups in upstream.items() if ups & frontier and n not in below}
        below |= frontier
    return below


def _order(upstream: dict[str, set[str]], problems: list[Problem]) -> list[str]:
    try:
        return list(TopologicalSorter(upstream).static_order())
    except CycleError as exc:
        cycle = list(exc.args[1])
        problems.append(
            Problem("cycle", f"cycle through nodes {' -> '.join(cycle)}", node_id=cycle[0])
        )
        return []


def _check_parameter_refs(flow: Flow, nodes: dict[str, MaxDPNode], problems: list[Problem]) -> None:
    declared = {p.name for p in flow.parameters}
    for nid, node in nodes.items():
        for fld, names in node.parameter_refs().items():
            for name in sorted(names - declared):
                problems.append(
                    Problem(
                        "unknown_parameter",
                        f"node {nid!r}: {fld}: unknown parameter "
                        f"@{name} (declared: {', '.join(sorted(declared)) or 'none'})",
                        node_id=nid,
                        field=fld,
                    )
                )

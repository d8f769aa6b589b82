"""Validation reports every problem at once, each naming the node or edge and the field."""

from __future__ import annotations

import pytest

from flows.errors import FlowValidationError
from flows.graph import build_graph, validate_flow
from tests.flows.shapes import edge, flow, node, static


def codes(problems):
    return sorted(p["code"] for p in problems)


def test_valid_flow_has_no_problems(registry):
    doc = flow([static("a", [{"x": 1}]), node("out", "display_results")], [edge("a", "out")])
    assert validate_flow(doc, registry) == []


def test_every_problem_reported_at_once(registry):
    doc = flow(
        [
            static("a", [{"x": 1}]),
            static("a", [{"x": 2}]),  # duplicate id
            node("b", "no_such_type"),  # unknown type
            node("c", "display_results", limit=-1),  # fails the config model
            node("d", "display_results"),
            node("e", "test_join"),
        ],
        [
            edge("a", "ghost"),  # dangling
            edge("a", "d", tp="nope"),  # unknown port
            edge("a", "e", tp="left"),  # e.right is left unconnected
        ],
    )
    problems = validate_flow(doc, registry)
    assert codes(problems) == sorted(
        [
            "duplicate_id",
            "unknown_type",
            "invalid_config",
            "dangling_edge",
            "unknown_port",
            "unconnected_input",
        ]
    )
    by_code = {p["code"]: p for p in problems}
    assert by_code["duplicate_id"]["node_id"] == "a"
    assert (
        by_code["unknown_type"]["node_id"] == "b"
        and "no_such_type" in by_code["unknown_type"]["message"]
    )
    assert (
        by_code["invalid_config"]["node_id"] == "c"
        and by_code["invalid_config"]["field"] == "limit"
    )
    assert (
        by_code["dangling_edge"]["edge"] == 0 and "'ghost'" in by_code["dangling_edge"]["message"]
    )
    assert "port 'nope'" in by_code["unknown_port"]["message"]
    unconnected = {(p["node_id"], p["field"]) for p in problems if p["code"] == "unconnected_input"}
    # d's only edge is already reported (unknown port): not reported a second time as unconnected.
    assert unconnected == {("e", "right")}


def test_two_edges_into_single_input_port(registry):
    doc = flow(
        [static("a", [{"x": 1}]), static("b", [{"x": 2}]), node("out", "display_results")],
        [edge("a", "out"), edge("b", "out")],
    )
    [problem] = validate_flow(doc, registry)
    assert problem["code"] == "port_taken" and problem["node_id"] == "out"
    assert "from a, b" in problem["message"]


def test_many_input_port_takes_several_edges(registry):
    doc = flow(
        [
            static("a", [{"x": 1}]),
            static("b", [{"x": 2}]),
            node("m", "merge"),
            node("out", "display_results"),
        ],
        [edge("a", "m"), edge("b", "m"), edge("m", "out")],
    )
    assert validate_flow(doc, registry) == []


def test_cycle_names_its_nodes(registry):
    doc = flow(
        [
            static("src", [{"x": 1}]),
            node("a", "test_join"),
            node("b", "test_add_one"),
            node("c", "test_add_one"),
        ],
        [edge("src", "a", tp="left"), edge("a", "b"), edge("b", "c"), edge("c", "a", tp="right")],
    )
    [problem] = validate_flow(doc, registry)
    assert problem["code"] == "cycle"
    assert problem["message"].startswith("cycle through nodes ")
    on_cycle = problem["message"].removeprefix("cycle through nodes ").split(" -> ")
    assert set(on_cycle) == {"a", "b", "c"} and on_cycle[0] == on_cycle[-1]


def test_self_loop_is_a_cycle(registry):
    doc = flow([node("a", "test_sleep")], [edge("a", "a")])
    [problem] = validate_flow(doc, registry)
    assert problem["code"] == "cycle" and problem["node_id"] == "a"


def test_ambiguous_source_port_must_be_named(registry):
    doc = flow(
        [
            static("a", [{"x": 1}]),
            node("br", "conditional_branch", condition="x > 0"),
            node("out", "display_results"),
        ],
        [edge("a", "br"), edge("br", "out")],
    )
    [problem] = validate_flow(doc, registry)
    assert problem["code"] == "unknown_port" and problem["field"] == "source_port"
    assert "true, false" in problem["message"]


def test_unknown_parameter_reference(registry):
    doc = flow(
        [
            static("a", [{"x": 1}]),
            node("br", "conditional_branch", condition="x > @limit"),
            node("out", "display_results"),
        ],
        [edge("a", "br"), edge("br", "out", sp="true")],
        parameters=[{"name": "lim", "type": "integer"}],
    )
    [problem] = validate_flow(doc, registry)
    assert problem["code"] == "unknown_parameter" and problem["node_id"] == "br"
    assert "@limit" in problem["message"] and "declared: lim" in problem["message"]


def test_bad_parameter_default_and_duplicate(registry):
    doc = flow(
        [static("a", [{"x": 1}])],
        [],
        parameters=[
            {"name": "n", "type": "integer", "default": "ten"},
            {"name": "n", "type": "string"},
        ],
    )
    assert codes(validate_flow(doc, registry)) == ["duplicate_parameter", "invalid_parameter"]


def test_unknown_document_fields_refused(registry):
    doc = flow([static("a", [{"x": 1}]) | {"colour": "red"}], [])
    [problem] = validate_flow(doc, registry)
    assert problem["node_id"] == "a" and "colour" in problem["message"]


def test_try_catch_scope_must_exist_and_precede(registry):
    doc = flow(
        [
            static("a", [{"x": 1}]),
            node("catch", "try_catch", scope=["a", "ghost", "out"]),
            node("out", "display_results"),
        ],
        [edge("catch", "out")],
    )
    problems = validate_flow(doc, registry)
    assert codes(problems) == ["cycle", "unknown_scope"]
    assert all(p["node_id"] == "catch" and p["field"] == "scope" for p in problems)


def test_build_graph_orders_topologically(registry):
    doc = flow(
        [
            node("out", "display_results"),
            node("j", "test_join"),
            static("l", [{"x": 1}]),
            static("r", [{"x": 1}]),
        ],
        [edge("j", "out"), edge("l", "j", tp="left"), edge("r", "j", tp="right")],
    )
    graph = build_graph(doc, registry)
    pos = {n: i for i, n in enumerate(graph.order)}
    assert pos["l"] < pos["j"] and pos["r"] < pos["j"] < pos["out"]


def test_build_graph_raises_with_all_problems(registry):
    with pytest.raises(FlowValidationError) as info:
        build_graph(flow([node("a", "x"), node("b", "y")], []), registry)
    assert len(info.value.problems) == 2 and info.value.status_code == 422
    assert "(and 1 more)" in info.value.message


def test_document_must_be_an_object(registry):
    [problem] = validate_flow(["not", "a", "flow"], registry)  # type: ignore[arg-type]
    assert problem["code"] == "invalid_document"

"""Renaming a parameter: the renamed flow runs exactly as the original did, and text that only
looks like a use (in quotes, comments, longer names) is left alone."""

from __future__ import annotations

import copy
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from pandas.testing import assert_frame_equal

from flows.errors import ParameterError
from flows.executor import FlowExecutor
from flows.graph import validate_flow
from flows.rename import rename_parameter
from nodes.code.sandbox.limits import SandboxLimits
from nodes.code.sandbox.pool import SandboxPool
from nodes.connections import Connections, ConnectionSpec
from nodes.registry import default_registry

REGISTRY = default_registry()


def _node(nid: str, kind: str, **config: Any) -> dict[str, Any]:
    return {"id": nid, "type": kind, "config": config}


def _flow() -> dict[str, Any]:
    """A flow that reads ``lim`` (and the other parameter ``limit``) in every way a node can."""
    nodes = [
        _node(
            "sql",
            "custom_sql",
            connection="db",
            sql="SELECT id, amount, region, ':lim' AS note FROM orders -- :lim\n"
            "WHERE amount > :lim / 4 AND id < :limit",
        ),
        _node("big", "filter_rows", condition="amount > @lim and region != '@lim'  # @lim"),
        _node("over", "add_modify_column", column="over", expression="amount - @lim + @limit"),
        _node("branch", "conditional_branch", condition="amount > @lim * 2"),
        _node(
            "py",
            "run_python_script",
            code="# params['lim']\nresult = df.assign(scaled=df['amount'] / params['lim'], "
            "tag='lim', n=params.get( 'limit'), label=f\"over {params['lim']}\")",
        ),
        _node(
            "fn",
            "apply_function",
            column="amount",
            target="capped",
            code='lambda value: min(value, params.get("lim"))',
        ),
        _node("tr", "table_reader", connection="db", table="orders", where="amount >= @lim"),
        _node("high", "display_results"),
        _node("low", "display_results"),
        _node("read", "display_results"),
    ]
    edges = [
        ("sql", "big", None),
        ("big", "over", None),
        ("over", "branch", None),
        ("branch", "py", "true"),
        ("py", "high", None),
        ("branch", "fn", "false"),
        ("fn", "low", None),
        ("tr", "read", None),
    ]
    return {
        "name": "rename",
        "parameters": [
            {"name": "lim", "type": "number", "default": 40},
            {"name": "limit", "type": "integer", "default": 100},
        ],
        "nodes": nodes,
        "edges": [{"source": s, "target": t, "source_port": p} for s, t, p in edges],
    }


@pytest.fixture
def database(tmp_path: Path) -> str:
    path = str(tmp_path / "orders.db")
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE orders (id INTEGER, amount REAL, region TEXT)")
        db.executemany(
            "INSERT INTO orders VALUES (?, ?, ?)",
            [(i, float(i * 7 % 130), ["KR", "US", "@lim"][i % 3]) for i in range(60)],
        )
    return path


async def _run(doc: dict[str, Any], params: dict[str, Any], database: str) -> dict[str, Any]:
    conns = Connections([ConnectionSpec(name="db", kind="sqlite", database=database)])
    limits = SandboxLimits(cpu_seconds=5, memory_mb=256, wall_seconds=20)
    try:
        async with SandboxPool(size=1, maxima=limits) as pool:
            services = {"connections": conns, "sandbox": pool}
            result = await FlowExecutor(doc, registry=REGISTRY, services=services).run(params)
    finally:
        await conns.close()
    assert result.status == "succeeded", result.error
    return result.outputs


async def test_the_renamed_flow_runs_as_the_original(database: str) -> None:
    original = _flow()
    renamed = rename_parameter(original, "lim", "cap", REGISTRY)
    assert validate_flow(renamed.document, REGISTRY) == []
    assert renamed.skipped == []
    assert {(c["node_id"], c["field"]) for c in renamed.changed} == {
        ("sql", "sql"),
        ("big", "condition"),
        ("over", "expression"),
        ("branch", "condition"),
        ("py", "code"),
        ("fn", "code"),
        ("tr", "where"),
    }
    before = await _run(original, {"lim": 35, "limit": 50}, database)
    after = await _run(renamed.document, {"cap": 35, "limit": 50}, database)
    assert set(before) == set(after) == {"high", "low", "read"}
    for name, table in before.items():
        assert len(table) > 0, name
        assert_frame_equal(after[name], table)
    # What only looked like a use kept its text: the SQL string, the region value, the tag.
    assert set(after["high"]["note"]) == {":lim"} and set(after["high"]["tag"]) == {"lim"}
    assert "@lim" in set(after["read"]["region"])


def test_renaming_only_the_declaration_leaves_unknown_parameters() -> None:
    # What the designer did before: the flow no longer validates. The rename above fixes that.
    doc = _flow()
    doc["parameters"][0]["name"] = "cap"
    fields = {(p["node_id"], p["field"]) for p in validate_flow(doc, REGISTRY)}
    assert {("big", "condition"), ("sql", "sql"), ("tr", "where")} <= fields


def test_the_text_outside_uses_is_kept_exactly() -> None:
    nodes = {n["id"]: n["config"] for n in rename_parameter(_flow(), "lim", "cap", REGISTRY)
             .document["nodes"]}  # fmt: skip
    assert nodes["sql"]["sql"] == (
        "SELECT id, amount, region, ':lim' AS note FROM orders -- :lim\n"
        "WHERE amount > :cap / 4 AND id < :limit"
    )
    assert nodes["big"]["condition"] == "amount > @cap and region != '@lim'  # @lim"
    assert nodes["over"]["expression"] == "amount - @cap + @limit"
    assert nodes["py"]["code"] == (
        "# params['lim']\nresult = df.assign(scaled=df['amount'] / params['cap'], "
        "tag='lim', n=params.get( 'limit'), label=f\"over {params['cap']}\")"
    )
    assert nodes["fn"]["code"] == 'lambda value: min(value, params.get("cap"))'


def test_api_calls_and_search_terms_are_renamed() -> None:
    doc = {
        "name": "calls",
        "parameters": [{"name": "team"}],
        "nodes": [
            _node(
                "api",
                "api_endpoint",
                url="https://api.example.com/users",
                query={"team": "@team", "other": "@teams", "raw": "@@team"},
                headers={"X-Team": "@team"},
                body={"filters": [{"eq": "@team"}, "team"]},
            ),
            _node("search", "mapped_table_search", connection="db", mapping="m", term="@team"),
            _node("fixed", "mapped_table_search", connection="db", mapping="m", term="@@team"),
        ],
    }
    out = rename_parameter(doc, "team", "squad", REGISTRY)
    api, search, fixed = (n["config"] for n in out.document["nodes"])
    assert api["query"] == {"team": "@squad", "other": "@teams", "raw": "@@team"}
    assert api["headers"] == {"X-Team": "@squad"}
    assert api["body"] == {"filters": [{"eq": "@squad"}, "team"]}
    assert (search["term"], fixed["term"]) == ("@squad", "@@team")
    assert [c["node_id"] for c in out.changed] == ["api", "api", "api", "search"]
    assert doc["nodes"][0]["config"]["query"]["team"] == "@team"  # the input is not changed


def test_a_field_that_cannot_be_read_is_kept_and_reported() -> None:
    doc = _flow()
    doc["nodes"][1]["config"]["condition"] = "`amount > @lim"
    doc["nodes"][4]["config"]["code"] = "result = params['lim'\n"  # an unclosed bracket
    out = rename_parameter(doc, "lim", "cap", REGISTRY)
    skipped = {(s["node_id"], s["field"]): s["reason"] for s in out.skipped}
    assert set(skipped) == {("big", "condition"), ("py", "code")}
    assert "backtick" in skipped[("big", "condition")]
    assert out.document["nodes"][1]["config"]["condition"] == "`amount > @lim"
    assert out.document["nodes"][4]["config"]["code"] == "result = params['lim'\n"
    assert ("over", "expression") in {(c["node_id"], c["field"]) for c in out.changed}


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("nope", "cap", "no parameter named 'nope'"),
        ("lim", "limit", "'limit' is already declared"),
        ("lim", "9lives", "not a parameter name"),
        ("lim", "with space", "not a parameter name"),
    ],
)
def test_refused_renames_say_why(old: str, new: str, says: str) -> None:
    doc = _flow()
    with pytest.raises(ParameterError, match=says):
        rename_parameter(doc, old, new, REGISTRY)
    assert doc == _flow()


def test_renaming_to_the_same_name_changes_nothing() -> None:
    out = rename_parameter(_flow(), "lim", "lim", REGISTRY)
    assert out.document == _flow() and out.changed == []


def test_other_flows_parameters_are_untouched() -> None:
    doc = _flow()
    out = rename_parameter(doc, "limit", "top", REGISTRY)
    assert {(c["node_id"], c["field"]) for c in out.changed} == {
        ("sql", "sql"),
        ("over", "expression"),
        ("py", "code"),
    }
    assert copy.deepcopy(out.document["nodes"][1]) == doc["nodes"][1]


def test_a_malformed_document_still_has_its_declaration_renamed() -> None:
    # The designer sends what is being edited; validation, not the rename, reports the rest.
    for nodes in (5, [1, "x", {"id": "t", "type": ["filter_rows"]}], None):
        doc = {"name": "f", "parameters": [{"name": "lim"}], "nodes": nodes}
        out = rename_parameter(doc, "lim", "cap", REGISTRY)
        assert out.document["parameters"] == [{"name": "cap"}] and out.changed == []
        assert out.document["nodes"] == nodes

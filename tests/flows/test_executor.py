"""FlowExecutor on graph shapes: results equal plain pandas, statuses are honest."""

from __future__ import annotations

import asyncio

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import MaxDPError, ParameterError
from flows.executor import FlowExecutor
from tests.flows.shapes import edge, flow, node, static

ROWS = [{"x": 1, "k": "a"}, {"x": 2, "k": "b"}, {"x": 3, "k": "a"}]


def statuses(result):
    return {n.node_id: n.status for n in result.nodes}


async def test_linear_flow_matches_pandas(registry):
    ex = FlowExecutor(
        flow(
            [static("src", ROWS), node("inc", "test_add_one"), node("out", "display_results")],
            [edge("src", "inc"), edge("inc", "out")],
        ),
        registry=registry,
    )
    result = await ex.run()
    expected = pd.DataFrame(ROWS)
    expected["x"] = expected["x"] + 1
    assert result.status == "succeeded" and result.error is None
    assert_frame_equal(result.outputs["out"], expected)
    inc = result.node("inc")
    assert (inc.rows_in, inc.rows_out, inc.attempts) == (3, 3, 1)
    assert inc.duration_ms is not None and inc.duration_ms >= 0


async def test_diamond(registry):
    ex = FlowExecutor(
        flow(
            [
                static("src", ROWS),
                node("l", "test_add_one"),
                node("r", "test_add_one", column="x"),
                node("j", "test_join"),
                node("out", "display_results"),
            ],
            [
                edge("src", "l"),
                edge("src", "r"),
                edge("l", "j", tp="left"),
                edge("r", "j", tp="right"),
                edge("j", "out"),
            ],
        ),
        registry=registry,
    )
    result = await ex.run()
    df = pd.DataFrame(ROWS)
    left = df.assign(x=df.x + 1)
    expected = left.merge(left, on="x", suffixes=("_l", "_r"))
    assert_frame_equal(result.outputs["out"], expected)


async def test_fan_out_and_fan_in(registry):
    ex = FlowExecutor(
        flow(
            [
                static("a", ROWS[:1]),
                static("b", ROWS[1:]),
                node("m", "merge", mode="concat"),
                node("out1", "display_results"),
                node("out2", "display_results", name="second"),
            ],
            [edge("a", "m"), edge("b", "m"), edge("m", "out1"), edge("m", "out2")],
        ),
        registry=registry,
    )
    result = await ex.run()
    expected = pd.concat([pd.DataFrame(ROWS[:1]), pd.DataFrame(ROWS[1:])], ignore_index=True)
    assert set(result.outputs) == {"out1", "second"}
    assert_frame_equal(result.outputs["out1"], expected)
    assert_frame_equal(result.outputs["second"], expected)


async def test_independent_branches_run_concurrently(registry):
    ex = FlowExecutor(
        flow(
            [
                node("s1", "test_sleep", seconds=0.2),
                node("s2", "test_sleep", seconds=0.2),
                node("o1", "display_results"),
                node("o2", "display_results"),
            ],
            [edge("s1", "o1"), edge("s2", "o2")],
        ),
        registry=registry,
    )
    result = await ex.run()
    one, two = result.outputs["o1"].iloc[0], result.outputs["o2"].iloc[0]
    # Each branch started before the other finished: they overlapped.
    assert one["start_s1"] < two["end_s2"] and two["start_s2"] < one["end_s1"]


async def test_failure_fails_run_and_skips_downstream(registry):
    ex = FlowExecutor(
        flow(
            [
                static("src", ROWS),
                node("bad", "test_fail", message="column 'q' not found"),
                node("out", "display_results"),
            ],
            [edge("src", "bad"), edge("bad", "out")],
        ),
        registry=registry,
    )
    result = await ex.run()
    assert result.status == "failed"
    assert result.error == {
        "node_id": "bad",
        "node_type": "test_fail",
        "code": "node_failed",
        "message": "column 'q' not found",
    }
    assert statuses(result) == {"src": "succeeded", "bad": "failed", "out": "skipped"}
    assert result.outputs == {}


async def test_try_catch_turns_failures_into_rows(registry):
    ex = FlowExecutor(
        flow(
            [
                static("src", ROWS),
                node("bad", "test_fail", message="boom"),
                node("after", "test_add_one"),
                node("good", "test_add_one"),
                node("catch", "try_catch", scope=["bad", "after"]),
                node("errors", "display_results"),
                node("ok", "display_results"),
            ],
            [
                edge("src", "bad"),
                edge("bad", "after"),
                edge("src", "good"),
                edge("good", "ok"),
                edge("catch", "errors"),
            ],
        ),
        registry=registry,
    )
    result = await ex.run()
    assert result.status == "succeeded"
    assert statuses(result)["after"] == "skipped" and statuses(result)["bad"] == "failed"
    caught = result.outputs["errors"]
    assert caught.to_dict("records") == [
        {"node_id": "bad", "node_type": "test_fail", "error_type": "node_failed", "message": "boom"}
    ]
    assert len(result.outputs["ok"]) == 3


async def test_try_catch_with_empty_scope_watches_everything_before_it(registry):
    ex = FlowExecutor(
        flow(
            [
                static("src", ROWS),
                node("bad", "test_fail"),
                node("catch", "try_catch"),
                node("errors", "display_results"),
            ],
            [edge("src", "bad"), edge("catch", "errors")],
        ),
        registry=registry,
    )
    result = await ex.run()
    assert result.status == "succeeded"
    assert result.outputs["errors"]["node_id"].tolist() == ["bad"]


async def test_try_catch_without_failures_emits_empty_table(registry):
    ex = FlowExecutor(
        flow(
            [static("src", ROWS), node("catch", "try_catch"), node("errors", "display_results")],
            [edge("catch", "errors")],
        ),
        registry=registry,
    )
    result = await ex.run()
    out = result.outputs["errors"]
    assert out.empty and list(out.columns) == ["node_id", "node_type", "error_type", "message"]


async def test_failure_outside_try_catch_scope_still_fails(registry):
    ex = FlowExecutor(
        flow(
            [
                static("src", ROWS),
                node("bad", "test_fail"),
                node("catch", "try_catch", scope=["src"]),
                node("errors", "display_results"),
            ],
            [edge("src", "bad"), edge("catch", "errors")],
        ),
        registry=registry,
    )
    result = await ex.run()
    assert result.status == "failed" and result.error["node_id"] == "bad"


async def test_retries_with_backoff(registry):
    doc = flow(
        [
            static("src", ROWS),
            node("f", "test_flaky", failures=2) | {"retries": 2, "retry_backoff_s": 0.01},
            node("out", "display_results"),
        ],
        [edge("src", "f"), edge("f", "out")],
    )
    result = await FlowExecutor(doc, registry=registry).run()
    assert result.status == "succeeded" and result.node("f").attempts == 3

    doc["nodes"][1]["retries"] = 1
    result = await FlowExecutor(doc, registry=registry).run()
    assert result.status == "failed" and result.node("f").attempts == 2
    assert result.error["message"] == "transient failure 2"


async def test_node_timeout(registry):
    doc = flow(
        [
            node("slow", "test_sleep", seconds=5) | {"timeout_s": 0.05},
            node("out", "display_results"),
        ],
        [edge("slow", "out")],
    )
    result = await FlowExecutor(doc, registry=registry).run()
    assert result.status == "failed"
    assert result.error["code"] == "timeout" and result.error["node_id"] == "slow"
    assert "0.05 s" in result.error["message"]


async def test_flow_timeout(registry):
    doc = flow(
        [node("slow", "test_sleep", seconds=5), node("out", "display_results")],
        [edge("slow", "out")],
        timeout_s=0.05,
    )
    result = await FlowExecutor(doc, registry=registry).run()
    assert result.status == "timed_out" and result.error["code"] == "timeout"
    assert statuses(result) == {"slow": "canceled", "out": "skipped"}


async def test_cancel(registry):
    doc = flow(
        [node("slow", "test_sleep", seconds=5), node("out", "display_results")],
        [edge("slow", "out")],
    )
    cancel = asyncio.Event()
    asyncio.get_running_loop().call_later(0.05, cancel.set)
    result = await FlowExecutor(doc, registry=registry).run(cancel=cancel)
    assert result.status == "canceled"
    assert statuses(result) == {"slow": "canceled", "out": "skipped"}


async def test_parameters_are_validated_and_coerced(registry):
    doc = flow(
        [static("src", ROWS)],
        [],
        parameters=[
            {"name": "n", "type": "integer", "required": True},
            {"name": "since", "type": "date", "default": "2024-01-31"},
            {"name": "tags", "type": "list", "items": "integer"},
            {"name": "flag", "type": "boolean", "default": False},
        ],
    )
    ex = FlowExecutor(doc, registry=registry)
    result = await ex.run({"n": "7", "tags": "1, 2", "flag": "yes"})
    assert result.params == {
        "n": 7,
        "since": pd.Timestamp("2024-01-31"),
        "tags": [1, 2],
        "flag": True,
    }
    with pytest.raises(ParameterError) as info:
        await ex.run({"tags": "1,x", "extra": 1})
    fields = {d["field"]: d["message"] for d in info.value.details}
    assert set(fields) == {"n", "tags", "extra"}
    assert fields["n"] == "required" and "item 1" in fields["tags"] and "unknown" in fields["extra"]


async def test_executor_is_reusable_and_inputs_untouched(registry):
    doc = flow(
        [static("src", ROWS), node("inc", "test_add_one"), node("out", "display_results")],
        [edge("src", "inc"), edge("inc", "out")],
    )
    ex = FlowExecutor(doc, registry=registry)
    first, second = await ex.run(), await ex.run()
    assert_frame_equal(first.outputs["out"], second.outputs["out"])
    assert first.run_id != second.run_id
    assert first.outputs["out"]["x"].tolist() == [2, 3, 4]


async def test_run_until_previews_only_ancestors(registry):
    doc = flow(
        [
            static("src", ROWS),
            node("inc", "test_add_one"),
            node("other", "test_fail"),
            node("out", "display_results"),
        ],
        [edge("src", "inc"), edge("inc", "out"), edge("src", "other")],
    )
    ex = FlowExecutor(doc, registry=registry)
    result = await ex.run_until("inc", row_limit=2)
    assert result.status == "succeeded"
    assert set(result.previews) == {"src", "inc"}
    assert result.previews["inc"]["x"].tolist() == [2, 3]
    assert {n.node_id for n in result.nodes} == {"src", "inc"}
    with pytest.raises(MaxDPError, match="no node 'nope'"):
        await ex.run_until("nope")


async def test_events_in_order(registry):
    doc = flow([static("src", ROWS), node("out", "display_results")], [edge("src", "out")])
    events = []
    await FlowExecutor(doc, registry=registry).run(on_event=events.append)
    kinds = [(e.kind, e.node_id, e.status) for e in events]
    assert kinds == [
        ("run_started", None, None),
        ("node_started", "src", "running"),
        ("node_finished", "src", "succeeded"),
        ("node_started", "out", "running"),
        ("node_finished", "out", "succeeded"),
        ("run_finished", None, "succeeded"),
    ]
    assert events[2].data["rows_out"] == 3


def test_run_sync_and_to_dict(registry):
    doc = flow(
        [static("src", [{"x": 1.5, "t": None}]), node("out", "display_results")],
        [edge("src", "out")],
    )
    result = FlowExecutor(doc, registry=registry).run_sync()
    data = result.to_dict(outputs=True)
    assert data["status"] == "succeeded"
    assert data["outputs"] == {"out": [{"x": 1.5, "t": None}]}
    assert [n["node_id"] for n in data["nodes"]] == ["src", "out"]


async def test_nodes_are_told_which_outputs_are_read(registry):
    doc = flow(
        [node("two", "test_two_ports"), node("out", "display_results")],
        [edge("two", "out", sp="a")],
    )
    ex = FlowExecutor(doc, registry=registry)
    result = await ex.run()
    assert result.outputs["out"]["wanted"].iloc[0] == ["a"]
    # A preview shows every node's output, so nothing may be left out.
    preview = await ex.run_until("two")
    assert preview.previews["two"]["wanted"].iloc[0] is None

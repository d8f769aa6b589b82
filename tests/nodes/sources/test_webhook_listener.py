"""webhook_listener: request bodies (or the sample) as tables."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import ConfigError, NodeError
from nodes.base import NodeContext
from nodes.sources.webhook_listener import WebhookListener


def run(config: dict, body: Any = None) -> pd.DataFrame:
    ctx = NodeContext(node_id="hook", request_body=body)
    return WebhookListener("hook", config).run({}, ctx)["out"]


ITEMS = [{"id": 1, "이름": "Ann", "tags": ["a"]}, {"id": 2, "extra": None}, {"id": 2, "이름": "Bo"}]


def test_list_of_objects_becomes_rows() -> None:
    out = run({"records_path": "data.items"}, {"data": {"items": ITEMS}, "meta": 1})
    assert_frame_equal(out, pd.DataFrame.from_records(ITEMS))
    assert list(out.columns) == ["id", "이름", "tags", "extra"]


def test_body_itself_and_single_object() -> None:
    assert_frame_equal(run({}, ITEMS), pd.DataFrame.from_records(ITEMS))
    out = run({}, {"event": "paid", "amount": 3.5, "payload": {"k": "v"}})
    expected = pd.DataFrame({"event": ["paid"], "amount": [3.5], "payload": [{"k": "v"}]})
    assert_frame_equal(out, expected)
    assert_frame_equal(run({"records_path": "data"}, {"data": {"a": 1}}), pd.DataFrame({"a": [1]}))


def test_list_index_in_path_and_plain_values() -> None:
    body = {"batches": [{"rows": [{"x": 1}]}, {"rows": [{"x": 2}, {"x": 3}]}]}
    assert run({"records_path": "batches.1.rows"}, body)["x"].tolist() == [2, 3]
    assert_frame_equal(
        run({"records_path": "ids"}, {"ids": [3, 1, 3]}), pd.DataFrame({"value": [3, 1, 3]})
    )


def test_sample_is_used_without_a_request() -> None:
    config = {"records_path": "items", "sample": {"items": [{"x": 1}]}}
    assert_frame_equal(run(config), pd.DataFrame({"x": [1]}))
    # A real request wins over the sample.
    assert_frame_equal(run(config, {"items": [{"x": 9}]}), pd.DataFrame({"x": [9]}))


def test_no_request_and_no_sample_or_empty_list_is_empty() -> None:
    assert run({"records_path": "items"}).empty
    assert run({"records_path": "items"}, {"items": []}).empty


def test_missing_segment_is_named() -> None:
    with pytest.raises(NodeError, match=r"^records_path: segment 'itemz' not found in data$"):
        run({"records_path": "data.itemz"}, {"data": {"items": []}})
    with pytest.raises(NodeError, match=r"^records_path: segment 'data' not found in the body$"):
        run({"records_path": "data.items"}, [1, 2])
    with pytest.raises(NodeError, match=r"^records_path: segment '5' not found in rows$"):
        run({"records_path": "rows.5"}, {"rows": [{}]})


def test_wrong_shapes_are_reported() -> None:
    with pytest.raises(NodeError, match=r"^records_path: expected an object or a list, found str"):
        run({"records_path": "msg"}, {"msg": "hello"})
    with pytest.raises(NodeError, match=r"^records_path: item 1 is a int, not an object"):
        run({}, [{"a": 1}, 2])


def test_empty_segment_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"^records_path: 'data\.\.items' has an empty segment"):
        WebhookListener("hook", {"records_path": "data..items"})


def test_body_is_not_mutated() -> None:
    body = {"data": {"items": [{"id": 1}]}}
    out = run({"records_path": "data.items"}, body)
    out.loc[0, "id"] = 5
    assert body == {"data": {"items": [{"id": 1}]}}

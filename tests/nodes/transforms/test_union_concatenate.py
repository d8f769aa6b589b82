"""union_concatenate against pd.concat."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import NodeError
from nodes.base import NodeContext
from nodes.transforms.union_concatenate import UnionConcatenate


def run(config: dict, tables: object) -> pd.DataFrame:
    return UnionConcatenate("u", config).run({"in": tables}, NodeContext(node_id="u"))["out"]


@pytest.fixture
def a() -> pd.DataFrame:
    return pd.DataFrame({"id": [1, 2], "name": ["Ann", "Bo"]}, index=[5, 6])


@pytest.fixture
def b() -> pd.DataFrame:
    return pd.DataFrame({"city": ["Seoul", "부산"], "id": [2, 3]})


def test_by_name_unions_columns_in_edge_order(a: pd.DataFrame, b: pd.DataFrame) -> None:
    out = run({}, {"a": a, "b": b})
    assert_frame_equal(out, pd.concat([a, b], ignore_index=True))
    assert list(out.columns) == ["id", "name", "city"]
    out_reversed = run({}, {"b": b, "a": a})
    assert_frame_equal(out_reversed, pd.concat([b, a], ignore_index=True))


def test_by_position_takes_first_names(a: pd.DataFrame) -> None:
    other = pd.DataFrame({"x": [3, 2], "y": ["Cy", "Bo"]})
    out = run({"mode": "by_position"}, {"a": a, "o": other})
    expected = pd.DataFrame({"id": [1, 2, 3, 2], "name": ["Ann", "Bo", "Cy", "Bo"]})
    assert_frame_equal(out, expected)


def test_by_position_refuses_other_column_count(a: pd.DataFrame, b: pd.DataFrame) -> None:
    three = b.assign(extra=1)
    with pytest.raises(
        NodeError, match=r"^mode: the input from 'c' has 3 columns, the first input \('a'\) has 2"
    ):
        run({"mode": "by_position"}, {"a": a, "c": three})


def test_distinct_drops_duplicate_rows(a: pd.DataFrame) -> None:
    again = pd.DataFrame({"id": [2, 2, 7], "name": ["Bo", "Bo", None]})
    out = run({"distinct": True}, {"a": a, "again": again})
    expected = pd.concat([a, again], ignore_index=True).drop_duplicates().reset_index(drop=True)
    assert_frame_equal(out, expected)
    assert out["id"].tolist() == [1, 2, 7]


def test_mixed_types_and_single_input(a: pd.DataFrame) -> None:
    text_ids = pd.DataFrame({"id": ["x"], "name": ["Xi"]})
    out = run({}, {"a": a, "t": text_ids})
    assert_frame_equal(out, pd.concat([a, text_ids], ignore_index=True))
    single = run({}, {"a": a})
    assert_frame_equal(single, a.reset_index(drop=True))


def test_empty_tables_and_no_input(a: pd.DataFrame) -> None:
    out = run({}, {"a": a, "e": a.iloc[0:0]})
    assert_frame_equal(out, a.reset_index(drop=True))
    assert run({}, {}).empty


def test_distinct_with_unhashable_cells_is_reported() -> None:
    df = pd.DataFrame({"tags": [["x"], ["x"]], "n": [1, 1]})
    with pytest.raises(NodeError, match=r"^distinct: cannot compare rows"):
        run({"distinct": True}, {"a": df, "b": df})


def test_non_table_input_is_named(a: pd.DataFrame) -> None:
    with pytest.raises(NodeError, match=r"the input from 'b' is a list"):
        run({}, {"a": a, "b": [1, 2]})


def test_inputs_are_not_mutated(a: pd.DataFrame, b: pd.DataFrame) -> None:
    before = a.copy()
    out = run({"mode": "by_position"}, {"a": a, "b": b})
    out.loc[0, "id"] = 99
    assert_frame_equal(a, before)

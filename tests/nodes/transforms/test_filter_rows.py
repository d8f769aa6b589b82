"""filter_rows against the boolean indexing a pandas user would write."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import ConfigError, ExpressionError, NodeError
from nodes.base import NodeContext
from nodes.transforms.filter_rows import FilterRows


def run(condition: str, df: pd.DataFrame, **params) -> tuple[pd.DataFrame, pd.DataFrame]:
    result = FilterRows("f", {"condition": condition}).run({"in": df}, NodeContext(params=params))
    return result["out"], result["rejected"]


@pytest.fixture
def orders() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": ["KR", "US", None, "KR", "JP"],
            "amount": [10.0, 3.0, 7.0, None, 12.0],
            "n": [1, 2, 3, 4, 5],
        }
    )


def test_splits_like_boolean_indexing(orders):
    out, rejected = run("amount > 5 and region == @region", orders, region="KR")
    mask = (orders.amount > 5) & (orders.region == "KR")
    assert_frame_equal(out, orders[mask])
    assert_frame_equal(rejected, orders[~mask])


def test_null_comparisons_reject_the_row(orders):
    # pandas keeps NaN rows for != (NaN != 1 is True); SQL and filter_rows do not.
    out, rejected = run("region != 'KR'", orders)
    keep = (orders.region != "KR") & orders.region.notna()
    assert_frame_equal(out, orders[keep])
    assert_frame_equal(rejected, orders[~keep])
    out, _ = run("not (amount > 5)", orders)
    assert_frame_equal(out, orders[(orders.amount <= 5) & orders.amount.notna()])


def test_rejected_is_exactly_the_complement(orders):
    frame = orders.assign(pos=range(len(orders)))
    out, rejected = run("amount >= 7 or region in ('US',)", frame)
    assert set(out.pos).isdisjoint(rejected.pos)
    assert_frame_equal(pd.concat([out, rejected]).sort_values("pos"), frame)


def test_empty_table_keeps_columns_and_dtypes(orders):
    empty = orders.iloc[:0]
    out, rejected = run("amount > 5", empty)
    assert_frame_equal(out, empty[empty.amount > 5])
    assert_frame_equal(rejected, empty)


def test_unicode_and_odd_column_names():
    frame = pd.DataFrame(
        {"금액": [5, 50, 500], "unit price": [1.0, 2.0, None], "도시": ["서울", "부산", "서울"]}
    )
    out, rejected = run("금액 > 10 and `unit price` > 1 or 도시 == '서울'", frame)
    mask = ((frame["금액"] > 10) & (frame["unit price"] > 1)) | (frame["도시"] == "서울")
    assert_frame_equal(out, frame[mask])
    assert_frame_equal(rejected, frame[~mask])


def test_duplicate_index_labels_are_kept():
    frame = pd.DataFrame({"k": [1, 2, 3, 4]}, index=["a", "a", "b", "b"])
    out, rejected = run("k % 2 == 0", frame)
    assert_frame_equal(out, frame[frame.k % 2 == 0])
    assert out.index.tolist() == ["a", "b"] and rejected.index.tolist() == ["a", "b"]


def test_mixed_type_column():
    frame = pd.DataFrame({"m": ["a", 1, None, 2.5]})
    out, _ = run("m == 'a'", frame)
    assert_frame_equal(out, frame[frame.m == "a"])
    with pytest.raises(NodeError) as info:
        run("m > 1", frame)
    assert "condition: cannot compare column 'm' (object) with 1 (int)" in info.value.message


def test_constant_conditions(orders):
    out, rejected = run("@all", orders, all=True)
    assert_frame_equal(out, orders)
    assert_frame_equal(rejected, orders.iloc[:0])
    out, rejected = run("null", orders)
    assert_frame_equal(out, orders.iloc[:0])
    assert_frame_equal(rejected, orders)


def test_input_frame_is_not_modified(orders):
    before = orders.copy()
    run("n > 2", orders)
    assert_frame_equal(orders, before)


def test_bad_condition_is_a_config_error_naming_the_field():
    with pytest.raises(ExpressionError) as info:
        FilterRows("f", {"condition": "amount.__class__"})
    assert info.value.field == "condition"
    assert (
        info.value.message
        == "condition: attribute access is not allowed: .__class__ (at position 6)"
    )
    with pytest.raises(ConfigError, match="condition: Field required"):
        FilterRows("f", {})


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("total > 1", "condition: column 'total' not found (available: region, amount, n)"),
        ("n > @limit", "condition: unknown parameter @limit"),
        ("region > 1", "condition: cannot compare column 'region' (str) with 1 (int) using '>'"),
        ("n", "condition: expected a condition (true or false), got column 'n' (int64)"),
    ],
)
def test_run_errors_name_the_field_and_column(orders, condition, message):
    with pytest.raises(NodeError) as info:
        run(condition, orders)
    assert info.value.message == message


def test_catalog_entry_and_parameter_refs():
    node = FilterRows("f", {"condition": "region == @region"})
    assert node.parameter_refs() == {"condition": {"region"}}
    entry = FilterRows.describe()
    assert entry["category"] == "Rows" and [p["name"] for p in entry["outputs"]] == [
        "out",
        "rejected",
    ]
    assert entry["config_schema"]["properties"]["condition"]["x-maxdp-widget"] == "expression"

"""pivot_table against pandas.pivot_table with the columns flattened by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import ConfigError, NodeError
from nodes.base import NodeContext
from nodes.transforms.pivot_table import PivotTable


def run(config: dict, df: pd.DataFrame) -> pd.DataFrame:
    return PivotTable("p", config).run({"in": df}, NodeContext(node_id="p"))["out"]


@pytest.fixture
def sales() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "day": [1, 1, 2, 2, 2, 3],
            "region": ["KR", "US", "KR", "KR", "US", "KR"],
            "amount": [10.0, 5.0, 20.0, 2.0, np.nan, 1.0],
            "qty": [1, 2, 3, 4, 5, 6],
        }
    )


@pytest.mark.parametrize(
    "aggfunc", ["sum", "mean", "count", "min", "max", "median", "first", "last"]
)
def test_one_value_column_names_columns_by_key(sales: pd.DataFrame, aggfunc: str) -> None:
    out = run({"index": "day", "columns": "region", "values": "amount", "aggfunc": aggfunc}, sales)
    expected = pd.pivot_table(
        sales, index="day", columns="region", values="amount", aggfunc=aggfunc
    )
    expected.columns = [str(c) for c in expected.columns]
    expected = expected.reset_index()
    assert_frame_equal(out, expected)


def test_several_values_join_levels_with_underscore(sales: pd.DataFrame) -> None:
    out = run(
        {"index": "day", "columns": "region", "values": ["amount", "qty"], "aggfunc": "sum"},
        sales,
    )
    expected = pd.pivot_table(
        sales, index="day", columns="region", values=["amount", "qty"], aggfunc="sum"
    )
    expected.columns = [f"{v}_{k}" for v, k in expected.columns]
    expected = expected.reset_index()
    assert_frame_equal(out, expected)
    assert list(out.columns) == ["day", "amount_KR", "amount_US", "qty_KR", "qty_US"]


def test_fill_value_fills_empty_cells(sales: pd.DataFrame) -> None:
    out = run(
        {"index": "day", "columns": "region", "values": "qty", "aggfunc": "sum", "fill_value": 0},
        sales,
    )
    expected = pd.DataFrame({"day": [1, 2, 3], "KR": [1, 7, 6], "US": [2, 5, 0]})
    assert_frame_equal(out, expected)


def test_default_mean_and_no_columns_key(sales: pd.DataFrame) -> None:
    out = run({"index": "region", "values": ["qty"]}, sales)
    expected = sales.groupby("region")[["qty"]].mean().reset_index()
    assert_frame_equal(out, expected)


def test_no_index_gives_one_row(sales: pd.DataFrame) -> None:
    out = run({"columns": "region", "values": "qty", "aggfunc": "sum"}, sales)
    expected = pd.DataFrame({"KR": [14], "US": [7]})
    assert_frame_equal(out, expected)


def test_null_keys_follow_pandas_unless_dropna_false() -> None:
    df = pd.DataFrame({"k": ["a", None, "a"], "c": ["x", "y", None], "v": [1, 2, 3]})
    kept = run({"index": "k", "columns": "c", "values": "v", "aggfunc": "sum", "dropna": False}, df)
    assert kept["k"].isna().sum() == 1
    assert list(kept.columns) == ["k", "x", "y", "null"]
    dropped = run({"index": "k", "columns": "c", "values": "v", "aggfunc": "sum"}, df)
    expected = pd.pivot_table(df, index="k", columns="c", values="v", aggfunc="sum")
    expected.columns = [str(c) for c in expected.columns]
    assert_frame_equal(dropped, expected.reset_index())


def test_unicode_and_numeric_keys_become_string_columns() -> None:
    df = pd.DataFrame(
        {"도시": ["서울", "서울", "부산"], "연도": [2023, 2024, 2024], "값": [1, 2, 3]}
    )
    out = run({"index": "도시", "columns": "연도", "values": "값", "aggfunc": "sum"}, df)
    assert list(out.columns) == ["도시", "2023", "2024"]
    assert out["2024"].tolist() == [3.0, 2.0]  # 부산 sorts before 서울


def test_several_column_keys_are_joined() -> None:
    df = pd.DataFrame({"i": [1, 1], "a": ["x", "y"], "b": [1, 2], "v": [5, 6]})
    out = run({"index": "i", "columns": ["a", "b"], "values": "v", "aggfunc": "max"}, df)
    assert list(out.columns) == ["i", "x_1", "y_2"]


def test_empty_table_gives_index_column_only() -> None:
    df = pd.DataFrame({"k": pd.Series([], dtype="str"), "c": pd.Series([], dtype="str"), "v": []})
    out = run({"index": "k", "columns": "c", "values": "v", "aggfunc": "sum"}, df)
    assert len(out) == 0
    assert "k" in out.columns


def test_input_is_not_mutated(sales: pd.DataFrame) -> None:
    before = sales.copy()
    run({"columns": "region", "values": "qty"}, sales)
    assert_frame_equal(sales, before)


def test_errors_name_field_and_column(sales: pd.DataFrame) -> None:
    with pytest.raises(NodeError, match=r"^columns: column 'nope' not found"):
        run({"index": "day", "columns": "nope"}, sales)
    with pytest.raises(NodeError, match=r"^values: column 'zz' not found"):
        run({"index": "day", "values": "zz"}, sales)
    with pytest.raises(NodeError, match=r"^aggfunc: cannot compute mean"):
        run({"index": "day", "values": "region"}, sales)
    clash = pd.DataFrame({"day": [1], "region": ["day"], "v": [1]})
    with pytest.raises(NodeError, match=r"'day' is produced twice or clashes"):
        run({"index": "day", "columns": "region", "values": "v"}, clash)


def test_bad_config() -> None:
    with pytest.raises(ConfigError, match=r"^columns: give index or columns"):
        PivotTable("p", {"values": "v"})
    with pytest.raises(ConfigError, match=r"^values: column 'k' is also a key"):
        PivotTable("p", {"index": "k", "values": "k"})
    with pytest.raises(ConfigError, match=r"^aggfunc"):
        PivotTable("p", {"index": "k", "aggfunc": "mode"})

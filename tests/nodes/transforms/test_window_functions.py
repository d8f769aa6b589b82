"""window_functions against plain pandas groupby().cumsum()/shift()/rank()/rolling()."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from flows.errors import ConfigError, NodeError
from nodes.base import NodeContext
from nodes.transforms.window_functions import WindowFunctions


def run(config: dict, df: pd.DataFrame) -> pd.DataFrame:
    return WindowFunctions("w", config).run({"in": df}, NodeContext(node_id="w"))["out"]


@pytest.fixture
def sales() -> pd.DataFrame:
    # A shuffled input with a non-default index: the output must keep both.
    return pd.DataFrame(
        {
            "shop": ["a", "b", "a", "b", "a", "c", "a"],
            "day": [3, 1, 1, 2, 2, 1, 4],
            "sales": [5.0, 7.0, 3.0, 1.0, 4.0, 9.0, 8.0],
        },
        index=[70, 10, 30, 20, 60, 40, 50],
    )


def pandas_sorted(df: pd.DataFrame) -> pd.core.groupby.SeriesGroupBy:
    return df.sort_values("day").groupby("shop")["sales"]


def test_cumulative_and_offset_functions_match_pandas(sales: pd.DataFrame) -> None:
    out = run(
        {
            "partition_by": "shop",
            "order_by": "day",
            "functions": [
                {"function": "cumsum", "column": "sales"},
                {"function": "cummax", "column": "sales"},
                {"function": "cummin", "column": "sales"},
                {"function": "lag", "column": "sales"},
                {"function": "lead", "column": "sales", "offset": 2, "as": "lead2"},
                {"function": "pct_change", "column": "sales"},
            ],
        },
        sales,
    )
    g = pandas_sorted(sales)
    expected = sales.assign(
        sales_cumsum=g.cumsum(),
        sales_cummax=g.cummax(),
        sales_cummin=g.cummin(),
        sales_lag=g.shift(1),
        lead2=g.shift(-2),
        sales_pct_change=g.pct_change(),
    )
    assert_frame_equal(out, expected)


def test_rolling_matches_pandas_rolling_per_group(sales: pd.DataFrame) -> None:
    out = run(
        {
            "partition_by": "shop",
            "order_by": "day",
            "functions": [
                {"function": "rolling_mean", "column": "sales", "window": 2},
                {"function": "rolling_sum", "column": "sales", "window": 3, "min_periods": 3},
            ],
        },
        sales,
    )
    g = pandas_sorted(sales)
    mean = g.transform(lambda s: s.rolling(2, min_periods=1).mean())
    total = g.transform(lambda s: s.rolling(3, min_periods=3).sum())
    assert_frame_equal(out, sales.assign(sales_rolling_mean=mean, sales_rolling_sum=total))


def test_rolling_without_partition(sales: pd.DataFrame) -> None:
    out = run(
        {
            "order_by": "day",
            "functions": [{"function": "rolling_sum", "column": "sales", "window": 2}],
        },
        sales,
    )
    expected = sales.sort_values("day", kind="stable")["sales"].rolling(2, min_periods=1).sum()
    assert_series_equal(out["sales_rolling_sum"], expected.reindex(sales.index), check_names=False)


def test_ranking_matches_pandas_rank(sales: pd.DataFrame) -> None:
    df = sales.assign(score=[2, 2, 1, 5, 2, 7, 3])
    out = run(
        {
            "partition_by": "shop",
            "order_by": "score",
            "functions": [{"function": "rank"}, {"function": "dense_rank"}],
        },
        df,
    )
    by_shop = df.groupby("shop")["score"]
    assert out["rank"].tolist() == by_shop.rank(method="min").astype("int64").tolist()
    assert out["dense_rank"].tolist() == by_shop.rank(method="dense").astype("int64").tolist()
    assert out["rank"].dtype == "int64"


def test_rank_over_several_keys_descending_with_ties_and_nulls() -> None:
    df = pd.DataFrame({"a": [1, 1, 2, 1, np.nan, np.nan], "b": ["x", "y", "x", "x", "z", "z"]})
    out = run(
        {
            "order_by": [{"column": "a", "ascending": False}, "b"],
            "functions": [
                {"function": "rank"},
                {"function": "dense_rank"},
                {"function": "row_number"},
            ],
        },
        df,
    )
    # Order: (2,x) (1,x) (1,x) (1,y) (nan,z) (nan,z); nulls sort last and tie with each other.
    assert out["rank"].tolist() == [2, 4, 1, 2, 5, 5]
    assert out["dense_rank"].tolist() == [2, 3, 1, 2, 4, 4]
    assert out["row_number"].tolist() == [2, 4, 1, 3, 5, 6]


def test_row_number_without_order_follows_input_order(sales: pd.DataFrame) -> None:
    out = run({"partition_by": "shop", "functions": [{"function": "row_number", "as": "n"}]}, sales)
    expected = sales.assign(n=sales.groupby("shop").cumcount() + 1)
    assert_frame_equal(out, expected)


def test_null_partition_is_one_partition() -> None:
    df = pd.DataFrame({"p": [None, "a", None, "a"], "v": [1, 2, 3, 4]})
    out = run({"partition_by": "p", "functions": [{"function": "cumsum", "column": "v"}]}, df)
    assert out["v_cumsum"].tolist() == [1, 2, 4, 6]


def test_duplicate_index_and_unicode_names_are_kept() -> None:
    df = pd.DataFrame({"가게": ["a", "a", "b"], "매출": [1, 2, 3]}, index=[5, 5, 1])
    out = run(
        {
            "partition_by": "가게",
            "order_by": [{"column": "매출", "ascending": False}],
            "functions": [{"function": "row_number", "as": "순위"}],
        },
        df,
    )
    assert out.index.tolist() == [5, 5, 1]
    assert out["순위"].tolist() == [2, 1, 1]


def test_empty_table(sales: pd.DataFrame) -> None:
    empty = sales.iloc[0:0]
    out = run(
        {
            "partition_by": "shop",
            "order_by": "day",
            "functions": [{"function": "rank"}, {"function": "lag", "column": "sales"}],
        },
        empty,
    )
    assert list(out.columns) == ["shop", "day", "sales", "rank", "sales_lag"]
    assert len(out) == 0


def test_input_is_not_mutated(sales: pd.DataFrame) -> None:
    before = sales.copy()
    run({"order_by": "day", "functions": [{"function": "cumsum", "column": "sales"}]}, sales)
    assert_frame_equal(sales, before)


def test_run_errors_name_field_and_column(sales: pd.DataFrame) -> None:
    with pytest.raises(NodeError, match=r"^partition_by: column 'store' not found"):
        run({"partition_by": "store", "functions": [{"function": "row_number"}]}, sales)
    with pytest.raises(NodeError, match=r"^order_by: column 'date' not found"):
        run({"order_by": "date", "functions": [{"function": "row_number"}]}, sales)
    with pytest.raises(NodeError, match=r"^functions: column 'x' not found"):
        run({"functions": [{"function": "lag", "column": "x"}]}, sales)
    bad = [
        {"function": "lag", "column": "shop"},
        {"function": "rolling_mean", "column": "shop", "window": 2},
    ]
    with pytest.raises(
        NodeError, match=r"^functions\.1: cannot compute rolling_mean of column 'shop'"
    ):
        run({"partition_by": "day", "functions": bad}, sales)
    with pytest.raises(
        NodeError, match=r"^functions\.0: cannot compute pct_change of column 'shop'"
    ):
        run({"functions": [{"function": "pct_change", "column": "shop"}]}, sales)


@pytest.mark.parametrize(
    ("functions", "order_by", "message"),
    [
        ([{"function": "rank"}], [], r"^order_by: rank needs order_by"),
        ([{"function": "rank", "column": "v"}], ["v"], r"^functions\.0\.column: rank ranks by"),
        ([{"function": "lag"}], [], r"^functions\.0\.column: lag needs a column"),
        ([{"function": "rolling_sum", "column": "v"}], [], r"^functions\.0\.window: rolling_sum"),
        (
            [{"function": "rolling_sum", "column": "v", "window": 2, "min_periods": 3}],
            [],
            r"^functions\.0\.min_periods: 3 is more than the window",
        ),
        (
            [
                {"function": "lag", "column": "v"},
                {"function": "lead", "column": "w", "as": "v_lag"},
            ],
            [],
            r"^functions\.1\.as: output column 'v_lag' is produced twice",
        ),
        ([{"function": "lag", "column": "v", "offset": -1}], [], r"^functions\.0\.offset"),
        ([], [], r"^functions"),
    ],
)
def test_bad_config(functions: list, order_by: list, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        WindowFunctions("w", {"order_by": order_by, "functions": functions})

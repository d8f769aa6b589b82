"""group_aggregate against the pandas groupby code a user would write."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import ConfigError, NodeError
from nodes.base import NodeContext
from nodes.transforms.group_aggregate import GroupAggregate


def run(config: dict, df: pd.DataFrame) -> pd.DataFrame:
    return GroupAggregate("g", config).run({"in": df}, NodeContext(node_id="g"))["out"]


@pytest.fixture
def sales() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": ["KR", "US", "KR", None, "US", "KR", None],
            "shop": ["a", "b", "a", "c", "b", "d", "c"],
            "amount": [10.0, 5.0, 20.0, 1.0, np.nan, 7.0, 3.0],
            "qty": [1, 2, 3, 4, 5, 6, 7],
        }
    )


def test_builtin_functions_match_pandas_groupby(sales: pd.DataFrame) -> None:
    functions = ["sum", "mean", "median", "min", "max", "count", "std", "var", "first", "last"]
    aggs = [{"column": "amount", "function": f} for f in functions]
    aggs.append({"column": "shop", "function": "count_distinct"})
    out = run({"group_by": "region", "aggregations": aggs}, sales)

    named = {f"amount_{f}": ("amount", f) for f in functions}
    named["shop_count_distinct"] = ("shop", "nunique")
    expected = sales.groupby("region", dropna=False).agg(**named).reset_index()
    assert_frame_equal(out, expected)


def test_null_group_is_kept_and_sorted_last(sales: pd.DataFrame) -> None:
    out = run(
        {"group_by": ["region"], "aggregations": [{"column": "qty", "function": "sum", "as": "n"}]},
        sales,
    )
    expected = pd.DataFrame({"region": ["KR", "US", None], "n": [10, 7, 11]})
    assert_frame_equal(out, expected)


def test_several_keys_with_nulls(sales: pd.DataFrame) -> None:
    out = run(
        {"group_by": ["region", "shop"], "aggregations": [{"column": "qty", "function": "max"}]},
        sales,
    )
    expected = (
        sales.groupby(["region", "shop"], dropna=False).agg(qty_max=("qty", "max")).reset_index()
    )
    assert_frame_equal(out, expected)
    assert len(out) == 4  # (KR,a) (KR,d) (US,b) (None,c): the null-region group is there


def test_count_counts_non_null_and_without_column_counts_rows(sales: pd.DataFrame) -> None:
    out = run(
        {
            "group_by": "region",
            "aggregations": [
                {"column": "amount", "function": "count", "as": "with_amount"},
                {"function": "count", "as": "rows"},
            ],
        },
        sales,
    )
    assert out["with_amount"].tolist() == [3, 1, 2]
    assert out["rows"].tolist() == [3, 2, 2]


def test_concat_skips_nulls_uses_separator_and_gives_null_for_empty_group() -> None:
    df = pd.DataFrame({"k": [1, 1, 2, 1], "tag": ["x", None, None, "y"]})
    out = run(
        {
            "group_by": "k",
            "aggregations": [
                {"column": "tag", "function": "concat"},
                {"column": "tag", "function": "concat", "as": "piped", "separator": "|"},
            ],
        },
        df,
    )
    assert out["tag_concat"].iloc[0] == "x, y"
    assert out["piped"].iloc[0] == "x|y"
    assert out["tag_concat"].isna().tolist() == [False, True]
    assert out["piped"].isna().tolist() == [False, True]


def test_percentile_matches_groupby_quantile(sales: pd.DataFrame) -> None:
    out = run(
        {
            "group_by": "region",
            "aggregations": [
                {"column": "qty", "function": "percentile", "q": 0.25, "as": "p25"},
                {"column": "qty", "function": "sum"},
                {"column": "amount", "function": "percentile", "q": 0.9},
            ],
        },
        sales,
    )
    grouped = sales.groupby("region", dropna=False)
    expected = pd.DataFrame(
        {
            "p25": grouped["qty"].quantile(0.25),
            "qty_sum": grouped["qty"].sum(),
            "amount_percentile": grouped["amount"].quantile(0.9),
        }
    ).reset_index()
    assert_frame_equal(out, expected)


def test_only_percentiles_keeps_group_keys() -> None:
    df = pd.DataFrame({"k": ["b", "a", "b"], "v": [1.0, 2.0, 3.0]})
    out = run(
        {"group_by": "k", "aggregations": [{"column": "v", "function": "percentile", "q": 0.5}]}, df
    )
    expected = pd.DataFrame({"k": ["a", "b"], "v_percentile": [2.0, 2.0]})
    assert_frame_equal(out, expected)


def test_whole_table_gives_one_row(sales: pd.DataFrame) -> None:
    out = run(
        {
            "aggregations": [
                {"column": "qty", "function": "sum", "as": "total"},
                {"column": "amount", "function": "mean", "as": "avg"},
                {"column": "shop", "function": "min", "as": "first_shop"},
                {"column": "region", "function": "first", "as": "r"},
                {"column": "shop", "function": "count_distinct", "as": "shops"},
                {"function": "count", "as": "rows"},
            ]
        },
        sales,
    )
    expected = pd.DataFrame(
        {
            "total": [sales["qty"].sum()],
            "avg": [sales["amount"].mean()],
            "first_shop": [sales["shop"].min()],
            "r": [sales["region"].dropna().iloc[0]],
            "shops": [sales["shop"].nunique()],
            "rows": [len(sales)],
        }
    )
    assert_frame_equal(out, expected)


def test_whole_table_of_empty_input_still_gives_one_row() -> None:
    df = pd.DataFrame({"v": pd.Series([], dtype="int64")})
    out = run(
        {
            "aggregations": [
                {"column": "v", "function": "sum"},
                {"column": "v", "function": "count"},
                {"column": "v", "function": "max"},
            ]
        },
        df,
    )
    assert len(out) == 1
    assert out.loc[0, "v_sum"] == 0
    assert out.loc[0, "v_count"] == 0
    assert pd.isna(out.loc[0, "v_max"])


def test_empty_input_grouped_gives_no_rows_but_the_columns() -> None:
    df = pd.DataFrame({"k": pd.Series([], dtype="str"), "v": pd.Series([], dtype="float64")})
    out = run({"group_by": "k", "aggregations": [{"column": "v", "function": "sum"}]}, df)
    assert list(out.columns) == ["k", "v_sum"]
    assert len(out) == 0


def test_unicode_names_and_categorical_keys() -> None:
    df = pd.DataFrame(
        {
            "지역": pd.Categorical(["서울", "부산", "서울"], categories=["서울", "부산", "대구"]),
            "금액": [1, 2, 3],
        }
    )
    out = run(
        {"group_by": "지역", "aggregations": [{"column": "금액", "function": "sum", "as": "합계"}]},
        df,
    )
    expected = (
        df.groupby("지역", observed=True, dropna=False).agg(합계=("금액", "sum")).reset_index()
    )
    assert_frame_equal(out, expected)
    assert "대구" not in out["지역"].tolist()  # unobserved category is not a group


def test_duplicate_keys_mixed_types_in_object_column() -> None:
    df = pd.DataFrame({"k": pd.Series([1, "1", 1, "1"], dtype=object), "v": [1, 2, 3, 4]})
    out = run({"group_by": "k", "aggregations": [{"column": "v", "function": "sum"}]}, df)
    assert sorted(out["v_sum"].tolist()) == [4, 6]


def test_input_is_not_mutated(sales: pd.DataFrame) -> None:
    before = sales.copy()
    run({"group_by": "region", "aggregations": [{"column": "qty", "function": "sum"}]}, sales)
    assert_frame_equal(sales, before)


def test_missing_columns_are_named() -> None:
    df = pd.DataFrame({"a": [1]})
    with pytest.raises(NodeError, match=r"^group_by: column 'nope' not found"):
        run({"group_by": "nope", "aggregations": [{"column": "a", "function": "sum"}]}, df)
    with pytest.raises(NodeError, match=r"^aggregations: column 'zz' not found"):
        run({"aggregations": [{"column": "zz", "function": "sum"}]}, df)


def test_function_that_does_not_fit_the_column_names_it() -> None:
    df = pd.DataFrame({"k": [1, 1], "name": ["x", "y"]})
    with pytest.raises(NodeError, match=r"aggregations\.1: cannot compute mean of column 'name'"):
        run(
            {
                "group_by": "k",
                "aggregations": [
                    {"column": "name", "function": "count"},
                    {"column": "name", "function": "mean"},
                ],
            },
            df,
        )


@pytest.mark.parametrize("q", [None, -0.1, 1.5])
def test_percentile_needs_q_in_range(q: float | None) -> None:
    with pytest.raises(
        ConfigError, match=r"aggregations\.0\.q: percentile needs q between 0 and 1"
    ):
        GroupAggregate("g", {"aggregations": [{"column": "v", "function": "percentile", "q": q}]})


def test_bad_config_is_refused_with_the_field() -> None:
    with pytest.raises(ConfigError, match=r"produced twice"):
        GroupAggregate(
            "g",
            {
                "aggregations": [
                    {"column": "v", "function": "sum", "as": "x"},
                    {"column": "w", "function": "max", "as": "x"},
                ]
            },
        )
    with pytest.raises(ConfigError, match=r"'k' is produced twice"):
        GroupAggregate(
            "g", {"group_by": "k", "aggregations": [{"column": "v", "function": "sum", "as": "k"}]}
        )
    with pytest.raises(ConfigError, match=r"aggregations\.0\.column: sum needs a column"):
        GroupAggregate("g", {"aggregations": [{"function": "sum"}]})
    with pytest.raises(ConfigError, match=r"aggregations\.0\.function"):
        GroupAggregate("g", {"aggregations": [{"column": "v", "function": "mode"}]})
    with pytest.raises(ConfigError, match=r"^aggregations: give at least one"):
        GroupAggregate("g", {})


def test_group_by_without_aggregations_gives_distinct_keys() -> None:
    df = pd.DataFrame({"k": ["b", "a", "b", None]})
    out = run({"group_by": "k"}, df)
    expected = pd.DataFrame({"k": ["a", "b", None]})
    assert_frame_equal(out, expected)


def test_whole_table_keeps_dtypes_and_nulls_stay_null() -> None:
    df = pd.DataFrame({"flag": pd.Series([], dtype=bool), "n": pd.Series([], dtype="int64")})
    out = run(
        {
            "aggregations": [
                {"column": "flag", "function": "max"},
                {"column": "n", "function": "first"},
            ]
        },
        df,
    )
    assert pd.isna(out.loc[0, "flag_max"])
    assert pd.isna(out.loc[0, "n_first"])
    full = pd.DataFrame({"flag": [True, False], "n": [3, 4]})
    out = run(
        {
            "aggregations": [
                {"column": "flag", "function": "min"},
                {"column": "n", "function": "last"},
            ]
        },
        full,
    )
    expected = pd.DataFrame({"flag_min": [full["flag"].min()], "n_last": [full["n"].iloc[-1]]})
    assert_frame_equal(out, expected)


def test_whole_table_null_result_keeps_a_nullable_dtype() -> None:
    df = pd.DataFrame({"s": pd.Series([None, None], dtype="str")})
    out = run({"aggregations": [{"column": "s", "function": "first"}]}, df)
    assert out["s_first"].dtype == df["s"].dtype
    assert out["s_first"].isna().all()

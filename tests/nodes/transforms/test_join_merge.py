"""join_merge against DataFrame.merge and the isin() filters a user writes for semi/anti."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import ConfigError, NodeError
from nodes.base import NodeContext
from nodes.transforms.join_merge import JoinMerge


def run(config: dict, left: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
    node = JoinMerge("j", config)
    return node.run({"left": left, "right": right}, NodeContext(node_id="j"))["out"]


@pytest.fixture
def orders() -> pd.DataFrame:
    return pd.DataFrame(
        {"id": [1, 2, 3, 4, 5], "cust": ["a", "b", "a", "z", None], "amount": [10, 20, 30, 40, 50]},
        index=[9, 8, 7, 6, 5],
    )


@pytest.fixture
def customers() -> pd.DataFrame:
    # "b" twice: duplicate keys multiply rows in SQL joins but never in semi joins.
    return pd.DataFrame(
        {"cust": ["a", "b", "b", "c"], "name": ["Ann", "Bo", "Bob", "Cy"], "amount": [1, 2, 3, 4]}
    )


@pytest.mark.parametrize("how", ["inner", "left", "right", "outer"])
def test_sql_joins_match_merge(how: str, orders: pd.DataFrame, customers: pd.DataFrame) -> None:
    out = run({"how": how, "on": "cust"}, orders, customers)
    expected = orders.merge(customers, how=how, on="cust", suffixes=("_left", "_right"))
    assert_frame_equal(out, expected)
    assert {"amount_left", "amount_right"} <= set(out.columns)


def test_left_on_right_on_and_custom_suffixes(orders: pd.DataFrame) -> None:
    people = pd.DataFrame({"고객": ["a", "z"], "amount": [7, 8]})
    out = run(
        {"how": "left", "left_on": "cust", "right_on": "고객", "suffixes": ["", "_p"]},
        orders,
        people,
    )
    expected = orders.merge(
        people, how="left", left_on="cust", right_on="고객", suffixes=("", "_p")
    )
    assert_frame_equal(out, expected)


def test_several_keys() -> None:
    left = pd.DataFrame({"k1": [1, 1, 2], "k2": ["x", "y", "x"], "v": [1, 2, 3]})
    right = pd.DataFrame({"k1": [1, 2], "k2": ["y", "x"], "w": [10, 20]})
    out = run({"how": "inner", "on": ["k1", "k2"]}, left, right)
    assert_frame_equal(out, left.merge(right, on=["k1", "k2"]))


def test_cross_join(orders: pd.DataFrame, customers: pd.DataFrame) -> None:
    out = run({"how": "cross"}, orders, customers)
    expected = orders.merge(customers, how="cross", suffixes=("_left", "_right"))
    assert_frame_equal(out, expected)
    assert len(out) == 20


def test_semi_keeps_matching_left_rows_once(orders: pd.DataFrame, customers: pd.DataFrame) -> None:
    out = run({"how": "semi", "on": "cust"}, orders, customers)
    expected = orders[orders["cust"].isin(customers["cust"])].reset_index(drop=True)
    assert_frame_equal(out, expected)
    assert out["id"].tolist() == [1, 2, 3]  # "b" matches twice on the right, kept once


def test_anti_keeps_left_rows_without_match(orders: pd.DataFrame, customers: pd.DataFrame) -> None:
    out = run({"how": "anti", "on": "cust"}, orders, customers)
    expected = orders[~orders["cust"].isin(customers["cust"])].reset_index(drop=True)
    assert_frame_equal(out, expected)
    assert out["id"].tolist() == [4, 5]


def test_semi_and_anti_on_several_differently_named_keys() -> None:
    left = pd.DataFrame({"a": [1, 1, 2, 2], "b": ["x", "y", "x", "y"]})
    right = pd.DataFrame({"c": [1, 2, 2], "d": ["y", "x", "x"], "extra": [0, 0, 0]})
    config = {"left_on": ["a", "b"], "right_on": ["c", "d"]}
    semi = run({**config, "how": "semi"}, left, right)
    anti = run({**config, "how": "anti"}, left, right)
    assert_frame_equal(semi, pd.DataFrame({"a": [1, 2], "b": ["y", "x"]}))
    assert_frame_equal(anti, pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}))


def test_null_keys_match_each_other_as_in_pandas_merge() -> None:
    left = pd.DataFrame({"k": [1.0, np.nan], "v": [1, 2]})
    right = pd.DataFrame({"k": [np.nan], "w": [3]})
    assert_frame_equal(run({"on": "k"}, left, right), left.merge(right, on="k"))
    assert run({"how": "semi", "on": "k"}, left, right)["v"].tolist() == [2]


def test_empty_tables(orders: pd.DataFrame, customers: pd.DataFrame) -> None:
    out = run({"how": "left", "on": "cust"}, orders.iloc[0:0], customers)
    expected = orders.iloc[0:0].merge(
        customers, how="left", on="cust", suffixes=("_left", "_right")
    )
    assert_frame_equal(out, expected)
    assert len(run({"how": "anti", "on": "cust"}, orders, customers.iloc[0:0])) == 5


def test_inputs_are_not_mutated(orders: pd.DataFrame, customers: pd.DataFrame) -> None:
    before_l, before_r = orders.copy(), customers.copy()
    run({"how": "semi", "on": "cust"}, orders, customers)
    run({"how": "outer", "on": "cust"}, orders, customers)
    assert_frame_equal(orders, before_l)
    assert_frame_equal(customers, before_r)


def test_missing_key_names_side_and_column(orders: pd.DataFrame, customers: pd.DataFrame) -> None:
    with pytest.raises(NodeError, match=r"^on: column 'id' not found in the right table"):
        run({"on": "id"}, orders, customers)
    with pytest.raises(NodeError, match=r"^left_on: column 'who' not found in the left table"):
        run({"left_on": "who", "right_on": "cust"}, orders, customers)
    with pytest.raises(NodeError, match=r"^right_on: column 'who' not found in the right table"):
        run({"how": "semi", "left_on": "cust", "right_on": "who"}, orders, customers)


def test_incompatible_key_types_are_reported(orders: pd.DataFrame) -> None:
    right = pd.DataFrame({"cust": [1, 2]})
    with pytest.raises(NodeError, match=r"^on: cannot join"):
        run({"on": "cust"}, orders, right)


def test_missing_input_port(orders: pd.DataFrame) -> None:
    with pytest.raises(NodeError, match=r"input port 'right' expects a table"):
        JoinMerge("j", {"on": "cust"}).run({"left": orders}, NodeContext())


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"how": "cross", "on": "k"}, r"^on: a cross join takes no key columns"),
        ({"on": "k", "left_on": "k"}, r"^on: give either on, or left_on \+ right_on"),
        ({"how": "left"}, r"^on: a left join needs on"),
        ({"left_on": ["a", "b"], "right_on": "a"}, r"^right_on: 1 columns for 2 in left_on"),
        ({"on": "k", "how": "full"}, r"^how"),
        ({"on": "k", "suffixes": ["_x"]}, r"^suffixes"),
    ],
)
def test_bad_config(config: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        JoinMerge("j", config)

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import ConfigError, NodeError
from nodes.transforms.sort_data import SortData


def run(config, df):
    before = df.copy()
    out = SortData("s", config).invoke({"in": df})["out"]
    assert_frame_equal(df, before)
    return out


@pytest.fixture
def df():
    return pd.DataFrame(
        {
            "도시": ["b", "a", None, "b", "a", "c"],
            "n": [2.0, 1.0, 5.0, None, 1.0, 3.0],
            "tag": ["p", "q", "r", "s", "t", "u"],
        }
    )


def test_single_key_ascending(df):
    expected = df.sort_values(by=["도시"], ascending=[True], na_position="last", kind="stable")
    assert_frame_equal(run({"by": "도시"}, df), expected)


def test_mixed_directions_and_stable_ties(df):
    out = run({"by": ["도시", {"column": "n", "ascending": False}]}, df)
    expected = df.sort_values(
        by=["도시", "n"], ascending=[True, False], na_position="last", kind="stable"
    )
    assert_frame_equal(out, expected)
    # the two ("a", 1.0) rows keep their input order
    assert list(out["tag"][:2]) == ["q", "t"]


def test_nulls_first(df):
    out = run({"by": [{"column": "n", "ascending": False}], "na_position": "first"}, df)
    expected = df.sort_values(by=["n"], ascending=[False], na_position="first", kind="stable")
    assert_frame_equal(out, expected)
    assert pd.isna(out["n"].iloc[0])


def test_empty_table():
    empty = pd.DataFrame({"a": pd.Series([], dtype="float64")})
    assert_frame_equal(run({"by": "a"}, empty), empty)


def test_duplicate_index_labels_are_kept():
    df = pd.DataFrame({"k": [3, 1, 2]}, index=[0, 0, 1])
    expected = df.sort_values(by=["k"], ascending=[True], kind="stable")
    assert_frame_equal(run({"by": "k"}, df), expected)


def test_missing_column(df):
    with pytest.raises(
        NodeError, match=r"^by: column 'nope' not found \(available: 도시, n, tag\)"
    ):
        run({"by": ["도시", "nope"]}, df)


def test_mixed_types_name_the_column():
    df = pd.DataFrame({"x": pd.Series([1, "a", 2], dtype=object)})
    with pytest.raises(NodeError, match=r"^by: column 'x' mixes values of types int, str"):
        run({"by": "x"}, df)


def test_duplicate_column_label():
    df = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(NodeError, match=r"^by: column 'a' appears more than once"):
        run({"by": "a"}, df)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"by": []}, "by: List should have at least 1 item"),
        ({}, "by: Field required"),
        ({"by": "a", "na_position": "middle"}, "na_position: Input should be 'first' or 'last'"),
        ({"by": [{"column": "a", "desc": True}]}, "by.0.desc: Extra inputs are not permitted"),
    ],
)
def test_bad_config(config, message):
    with pytest.raises(ConfigError) as err:
        SortData("s", config)
    assert err.value.message.startswith(message)

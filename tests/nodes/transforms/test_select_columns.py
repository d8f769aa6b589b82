import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import ConfigError, NodeError
from nodes.transforms.select_columns import SelectColumns


def run(config, df):
    before = df.copy()
    out = SelectColumns("s", config).invoke({"in": df})["out"]
    assert_frame_equal(df, before)
    return out


@pytest.fixture
def df():
    return pd.DataFrame({"a": [1, None], "이름": ["x", "y"], "c": [True, False]}, index=[10, 10])


def test_keep_in_the_given_order(df):
    assert_frame_equal(run({"columns": ["c", "a"]}, df), df[["c", "a"]])


def test_keep_one_name_as_string(df):
    assert_frame_equal(run({"columns": "이름"}, df), df[["이름"]])


def test_a_column_named_twice_is_kept_once(df):
    assert_frame_equal(run({"columns": ["c", "a", "c"]}, df), df[["c", "a"]])


def test_drop(df):
    assert_frame_equal(
        run({"columns": ["a", "c"], "mode": "drop"}, df), df.drop(columns=["a", "c"])
    )


def test_keep_nothing_keeps_the_rows(df):
    out = run({"columns": []}, df)
    assert_frame_equal(out, df[[]])
    assert len(out) == 2


def test_empty_table():
    empty = pd.DataFrame({"a": pd.Series([], dtype="int64"), "b": pd.Series([], dtype="str")})
    assert_frame_equal(run({"columns": "b"}, empty), empty[["b"]])


@pytest.mark.parametrize("mode", ["keep", "drop"])
def test_unknown_column(df, mode):
    with pytest.raises(
        NodeError, match=r"^columns: column 'b' not found \(available: a, 이름, c\)"
    ):
        run({"columns": ["a", "b"], "mode": mode}, df)


def test_bad_config():
    with pytest.raises(ConfigError, match=r"^columns: Field required"):
        SelectColumns("s", {})
    with pytest.raises(ConfigError, match=r"^mode: Input should be 'keep' or 'drop'"):
        SelectColumns("s", {"columns": "a", "mode": "only"})

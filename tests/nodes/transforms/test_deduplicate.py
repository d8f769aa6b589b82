import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import ConfigError, NodeError
from nodes.transforms.deduplicate import Deduplicate


def run(config, df):
    before = df.copy()
    out = Deduplicate("d", config).invoke({"in": df})["out"]
    assert_frame_equal(df, before)
    return out


@pytest.fixture
def df():
    return pd.DataFrame(
        {
            "키": [1, 1, 2, None, None, 2],
            "값": ["a", "a", "b", "c", "c", "z"],
        }
    )


def test_all_columns_keep_first(df):
    assert_frame_equal(run({}, df), df.drop_duplicates())


@pytest.mark.parametrize("keep", ["first", "last"])
def test_subset(df, keep):
    assert_frame_equal(
        run({"subset": "키", "keep": keep}, df), df.drop_duplicates(["키"], keep=keep)
    )


def test_keep_none_drops_every_repeated_row(df):
    out = run({"subset": ["키"], "keep": "none"}, df)
    assert_frame_equal(out, df.drop_duplicates(subset=["키"], keep=False))
    assert out.empty  # 1, 2 and null all repeat
    out = run({"keep": "none"}, df)
    assert_frame_equal(out, df.drop_duplicates(keep=False))
    assert list(out.index) == [2, 5]


def test_nulls_are_equal_to_each_other(df):
    out = run({"subset": "키"}, df)
    assert out["키"].isna().sum() == 1


def test_mixed_types_do_not_match_by_text():
    df = pd.DataFrame({"a": pd.Series([1, "1", 1], dtype=object)})
    out = run({}, df)
    assert_frame_equal(out, df.drop_duplicates())
    assert list(out.index) == [0, 1]


def test_empty_table():
    empty = pd.DataFrame({"a": pd.Series([], dtype="int64"), "b": pd.Series([], dtype="str")})
    assert_frame_equal(run({"subset": "a"}, empty), empty)


def test_missing_subset_column(df):
    with pytest.raises(NodeError, match=r"^subset: column 'id' not found"):
        run({"subset": ["키", "id"]}, df)


def test_unhashable_values_name_the_column():
    df = pd.DataFrame({"k": [1, 1], "tags": [["x"], ["x"]]})
    with pytest.raises(NodeError, match=r"^subset: column 'tags' holds list values"):
        run({"subset": ["k", "tags"]}, df)


def test_bad_keep():
    with pytest.raises(ConfigError, match=r"^keep: Input should be 'first', 'last' or 'none'"):
        Deduplicate("d", {"keep": False})

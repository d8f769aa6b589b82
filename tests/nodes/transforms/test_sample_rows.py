import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import ConfigError, NodeError
from nodes.transforms.sample_rows import SampleRows


def run(config, df):
    before = df.copy()
    out = SampleRows("s", config).invoke({"in": df})["out"]
    assert_frame_equal(df, before)  # the input is never mutated
    return out


@pytest.fixture
def df():
    return pd.DataFrame(
        {
            "지역": ["서울", "부산", "서울", None, "부산", "서울", None, "대구"],
            "v": [1, 2, 3, 4, 5, 6, 7, 8],
        }
    )


def test_random_n_with_seed_equals_pandas(df):
    assert_frame_equal(run({"n": 3, "seed": 42}, df), df.sample(n=3, random_state=42))


def test_random_fraction_with_seed_equals_pandas(df):
    out = run({"method": "random", "fraction": 0.5, "seed": 1}, df)
    assert_frame_equal(out, df.sample(frac=0.5, random_state=1))


def test_same_seed_same_sample_different_seed_differs(df):
    a = run({"n": 4, "seed": 3}, df)
    assert_frame_equal(a, run({"n": 4, "seed": 3}, df))
    assert not a.index.equals(run({"n": 4, "seed": 4}, df).index)


def test_n_larger_than_table_keeps_every_row(df):
    out = run({"n": 100, "seed": 0}, df)
    assert_frame_equal(out, df.sample(n=len(df), random_state=0))
    assert sorted(out.index) == list(df.index)


def test_first_and_last(df):
    assert_frame_equal(run({"method": "first", "n": 3}, df), df.head(3))
    assert_frame_equal(run({"method": "last", "n": 2}, df), df.tail(2))
    assert_frame_equal(run({"method": "last", "n": 0}, df), df.iloc[0:0])


def test_first_fraction_rounds_like_pandas(df):
    # round(0.3 * 8) = 2
    assert_frame_equal(run({"method": "first", "fraction": 0.3}, df), df.head(2))
    assert_frame_equal(run({"method": "last", "fraction": 1}, df), df)


def test_stratified_n_equals_pandas_when_groups_are_large_enough(df):
    big = df[df["지역"] != "대구"]
    out = run({"method": "stratified", "by": "지역", "n": 2, "seed": 9}, big)
    expected = big.groupby("지역", dropna=False).sample(n=2, random_state=9)
    assert_frame_equal(out, expected)


def test_stratified_keeps_small_groups_whole_and_the_null_group(df):
    out = run({"method": "stratified", "by": ["지역"], "n": 2, "seed": 5}, df)
    assert out["지역"].isna().sum() == 2
    assert (out["지역"] == "대구").sum() == 1
    assert (out["지역"] == "서울").sum() == 2
    assert (out["지역"] == "부산").sum() == 2
    # every sampled row is a real row of the input
    assert_frame_equal(out, df.loc[out.index])


def test_stratified_fraction_equals_pandas(df):
    out = run({"method": "stratified", "by": "지역", "fraction": 0.5, "seed": 2}, df)
    expected = df.groupby("지역", dropna=False).sample(frac=0.5, random_state=2)
    assert_frame_equal(out, expected)


def test_empty_table():
    empty = pd.DataFrame({"a": pd.Series([], dtype="int64")})
    assert_frame_equal(run({"n": 5, "seed": 1}, empty), empty)
    assert_frame_equal(run({"method": "stratified", "by": "a", "n": 5}, empty), empty)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"n": 1, "fraction": 0.5}, "n: give either n or fraction"),
        ({}, "n: give either n or fraction"),
        ({"method": "stratified", "n": 1}, "by: the stratified method needs group columns"),
        ({"n": 1, "by": "a"}, "by: only used by the stratified method, not random"),
        ({"n": -1}, "n: Input should be greater than or equal to 0"),
        ({"fraction": 1.5}, "fraction: Input should be less than or equal to 1"),
        ({"method": "middle", "n": 1}, "method: Input should be"),
    ],
)
def test_bad_config(config, message):
    with pytest.raises(ConfigError) as err:
        SampleRows("s", config)
    assert err.value.message.startswith(message)


def test_missing_group_column_names_field_and_column(df):
    node = SampleRows("s", {"method": "stratified", "by": "region", "n": 1})
    with pytest.raises(NodeError, match=r"^by: column 'region' not found"):
        node.invoke({"in": df})

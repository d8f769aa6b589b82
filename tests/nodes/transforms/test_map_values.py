import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from flows.errors import ConfigError, NodeError
from nodes.transforms.map_values import MapValues


def run(config, df):
    before = df.copy()
    out = MapValues("m", config).invoke({"in": df})["out"]
    assert_frame_equal(df, before)
    return out


@pytest.fixture
def df():
    return pd.DataFrame({"상태": ["a", "b", None, "c", "a"], "n": [1, 2, 3, 4, 5]})


def test_keep_leaves_unmapped_values(df):
    out = run({"column": "상태", "mapping": {"a": "Active", "b": "Blocked"}}, df)
    mapped = df["상태"].map({"a": "Active", "b": "Blocked"})
    assert_frame_equal(out, df.assign(상태=mapped.fillna(df["상태"])))


def test_null_default(df):
    out = run({"column": "상태", "mapping": {"a": "A"}, "default": "null"}, df)
    assert_frame_equal(out, df.assign(상태=df["상태"].map({"a": "A"})))


def test_value_default_also_fills_nulls(df):
    out = run({"column": "상태", "mapping": {"a": "A"}, "default": {"value": "other"}}, df)
    assert_frame_equal(out, df.assign(상태=df["상태"].map({"a": "A"}).fillna("other")))


def test_target_adds_a_column(df):
    out = run({"column": "n", "mapping": {"1": "one"}, "default": "null", "target": "word"}, df)
    assert_frame_equal(out, df.assign(word=df["n"].map({1: "one"})))


def test_json_text_keys_match_numbers():
    df = pd.DataFrame({"code": [1.0, 2.0, np.nan, 2.5]})  # ints with a null become floats
    out = run({"column": "code", "mapping": {"1": "one", "2.5": "two and a half"}}, df)
    assert out["code"].tolist()[:2] == ["one", 2.0]
    assert pd.isna(out["code"].iloc[2])
    assert out["code"].iloc[3] == "two and a half"


def test_mapped_numbers_keep_a_numeric_dtype():
    df = pd.DataFrame({"grade": ["A", "B", "A"]})
    out = run({"column": "grade", "mapping": {"A": 4, "B": 3}}, df)
    assert_series_equal(out["grade"], df["grade"].map({"A": 4, "B": 3}))


def test_booleans_and_dates_match_their_text():
    df = pd.DataFrame(
        {"ok": [True, False], "d": pd.to_datetime(["2024-01-31 00:00", "2024-02-01 10:00"])}
    )
    out = run({"column": "ok", "mapping": {"true": "yes", "False": "no"}}, df)
    assert out["ok"].tolist() == ["yes", "no"]
    out = run({"column": "d", "mapping": {"2024-01-31": "end of month"}, "default": "null"}, df)
    assert out["d"].iloc[0] == "end of month" and pd.isna(out["d"].iloc[1])


def test_text_does_not_match_other_text_forms():
    df = pd.DataFrame({"s": ["1", "1.0", " 1"]})
    out = run({"column": "s", "mapping": {"1": "x"}, "default": "null"}, df)
    assert out["s"].iloc[0] == "x" and out["s"].iloc[1:].isna().all()


def test_explicit_null_target_value(df):
    out = run({"column": "상태", "mapping": {"a": None}}, df)
    assert out["상태"].isna().tolist() == [True, False, True, False, True]


def test_no_hit_keeps_the_column_unchanged(df):
    assert_frame_equal(run({"column": "n", "mapping": {"x": 1}}, df), df)


def test_categorical_column():
    df = pd.DataFrame({"c": pd.Series(["a", "b", "a"], dtype="category")})
    out = run({"column": "c", "mapping": {"a": "A"}}, df)
    assert out["c"].tolist() == ["A", "b", "A"]


def test_empty_table():
    df = pd.DataFrame({"c": pd.Series([], dtype="str")})
    assert_frame_equal(run({"column": "c", "mapping": {"a": "A"}}, df), df)
    out = run({"column": "c", "mapping": {"a": "A"}, "default": "null", "target": "t"}, df)
    assert list(out.columns) == ["c", "t"] and out.empty


def test_missing_column(df):
    with pytest.raises(NodeError, match=r"^column: column 'status' not found"):
        run({"column": "status", "mapping": {}}, df)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"column": "a"}, "mapping: Field required"),
        (
            {"column": "a", "mapping": {}, "default": "drop"},
            """default: Value error, use "keep", "null" or {"value": ...}, not 'drop'""",
        ),
        ({"column": "a", "mapping": {}, "default": {"val": 1}}, "default: Value error, use"),
        ({"column": "a", "mapping": {}, "target": ""}, "target: String should have at least 1"),
    ],
)
def test_bad_config(config, message):
    with pytest.raises(ConfigError) as err:
        MapValues("m", config)
    assert err.value.message.startswith(message)

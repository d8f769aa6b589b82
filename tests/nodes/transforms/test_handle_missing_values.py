import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from flows.errors import ConfigError, NodeError
from nodes.transforms.handle_missing_values import HandleMissingValues


def run(config, df):
    before = df.copy()
    out = HandleMissingValues("h", config).invoke({"in": df})["out"]
    assert_frame_equal(df, before)
    return out


@pytest.fixture
def df():
    return pd.DataFrame(
        {
            "값": [1.0, np.nan, 4.0, np.nan, 4.0],
            "name": ["a", None, "b", "b", None],
            "full": [1, 2, 3, 4, 5],
        }
    )


def test_drop_rows_any_column(df):
    assert_frame_equal(run({"strategy": "drop_rows"}, df), df.dropna())


def test_drop_rows_subset(df):
    assert_frame_equal(
        run({"strategy": "drop_rows", "columns": "값"}, df), df.dropna(subset=["값"])
    )


def test_fill_value_on_named_columns(df):
    out = run({"strategy": "fill_value", "columns": ["값"], "value": 0}, df)
    assert_frame_equal(out, df.assign(값=df["값"].fillna(0)))


def test_fill_value_text_into_text_column(df):
    out = run({"strategy": "fill_value", "columns": "name", "value": "?"}, df)
    assert_frame_equal(out, df.assign(name=df["name"].fillna("?")))


def test_fill_value_number_on_all_columns_widens_text_to_object(df):
    out = run({"strategy": "fill_value", "value": 0}, df)
    expected = df.assign(값=df["값"].fillna(0), name=df["name"].astype(object).fillna(0))
    assert_frame_equal(out, expected)
    assert out["full"].dtype == "int64"  # columns without nulls are untouched


def test_fill_fraction_into_nullable_int_becomes_float():
    df = pd.DataFrame({"i": pd.array([1, None], dtype="Int64")})
    out = run({"strategy": "fill_value", "value": 0.5}, df)
    assert_series_equal(out["i"], pd.Series([1.0, 0.5], dtype="Float64", name="i"))


def test_fill_text_date_into_datetime_column():
    df = pd.DataFrame({"d": pd.to_datetime(["2024-01-01", None])})
    out = run({"strategy": "fill_value", "value": "2024-12-31"}, df)
    assert_frame_equal(out, df.assign(d=df["d"].fillna(pd.Timestamp("2024-12-31"))))


@pytest.mark.parametrize("strategy", ["mean", "median"])
def test_mean_and_median_skip_non_numeric_columns_by_default(df, strategy):
    out = run({"strategy": strategy}, df)
    center = getattr(df["값"], strategy)()
    assert_frame_equal(out, df.assign(값=df["값"].fillna(center)))
    assert out["name"].isna().sum() == 2


def test_mean_differs_from_median():
    df = pd.DataFrame({"x": [1.0, 2.0, 9.0, None]})
    assert run({"strategy": "mean"}, df)["x"].iloc[3] == 4.0
    assert run({"strategy": "median"}, df)["x"].iloc[3] == 2.0


def test_mean_of_nullable_int_with_a_fraction():
    df = pd.DataFrame({"i": pd.array([1, 2, None], dtype="Int64")})
    out = run({"strategy": "mean"}, df)
    assert_series_equal(out["i"], pd.Series([1.0, 2.0, 1.5], dtype="Float64", name="i"))


def test_mean_on_a_named_text_column_fails(df):
    with pytest.raises(
        NodeError, match=r"^columns: column 'name' is not numeric \(str\); strategy mean"
    ):
        run({"strategy": "mean", "columns": ["값", "name"]}, df)


def test_mean_on_a_named_bool_column_fails():
    df = pd.DataFrame({"b": pd.array([True, None], dtype="boolean")})
    with pytest.raises(NodeError, match=r"^columns: column 'b' is not numeric"):
        run({"strategy": "median", "columns": "b"}, df)


def test_mode(df):
    out = run({"strategy": "mode"}, df)
    expected = df.assign(
        값=df["값"].fillna(df["값"].mode().iloc[0]),
        name=df["name"].fillna(df["name"].mode().iloc[0]),
    )
    assert_frame_equal(out, expected)
    assert out["name"].tolist() == ["a", "b", "b", "b", "b"]


@pytest.mark.parametrize("strategy", ["ffill", "bfill"])
def test_ffill_and_bfill_equal_pandas(df, strategy):
    out = run({"strategy": strategy, "columns": ["값", "name"]}, df)
    expected = df.assign(값=getattr(df["값"], strategy)(), name=getattr(df["name"], strategy)())
    assert_frame_equal(out, expected)


def test_all_null_column_stays_null():
    df = pd.DataFrame({"x": [np.nan, np.nan]})
    for strategy in ("mean", "median", "mode"):
        assert_frame_equal(run({"strategy": strategy}, df), df)


def test_empty_table():
    df = pd.DataFrame({"x": pd.Series([], dtype="float64")})
    for config in (
        {"strategy": "drop_rows"},
        {"strategy": "mean"},
        {"strategy": "fill_value", "value": 1},
    ):
        assert_frame_equal(run(config, df), df)


def test_missing_column(df):
    with pytest.raises(NodeError, match=r"^columns: column 'x' not found"):
        run({"strategy": "ffill", "columns": "x"}, df)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, "strategy: Field required"),
        ({"strategy": "interpolate"}, "strategy: Input should be 'drop_rows'"),
        ({"strategy": "fill_value"}, "value: required by strategy fill_value"),
        ({"strategy": "mean", "value": 0}, "value: not used by strategy mean"),
    ],
)
def test_bad_config(config, message):
    with pytest.raises(ConfigError) as err:
        HandleMissingValues("h", config)
    assert err.value.message.startswith(message)

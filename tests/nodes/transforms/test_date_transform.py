import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from flows.errors import ConfigError, NodeError
from nodes.transforms.date_transform import DateTransform


def run(config, df):
    before = df.copy()
    out = DateTransform("d", config).invoke({"in": df})["out"]
    assert_frame_equal(df, before)
    return out


@pytest.fixture
def df():
    return pd.DataFrame(
        {
            "시각": pd.to_datetime(["2024-05-15 13:45:10", None, "2023-12-31 23:59:00"]),
            "end": pd.to_datetime(["2024-05-16 01:45:10", "2024-01-01 00:00:00", None]),
            "text": ["2024-01-31", "bad", None],
        }
    )


def op(df, **config):
    return run({"column": "시각", **config}, df)


# -- parse / format ------------------------------------------------------------------------


def test_parse_equals_pandas(df):
    out = run({"column": "text", "operation": "parse", "errors": "coerce"}, df)
    assert_frame_equal(out, df.assign(text=pd.to_datetime(df["text"], errors="coerce")))


def test_parse_with_format():
    df = pd.DataFrame({"d": ["31/01/2024", "01/02/2024"]})
    out = run({"column": "d", "operation": "parse", "format": "%d/%m/%Y"}, df)
    assert_series_equal(out["d"], pd.to_datetime(df["d"], format="%d/%m/%Y"))
    assert out["d"].iloc[1].month == 2


def test_parse_raise_names_the_value_and_row(df):
    with pytest.raises(NodeError) as err:
        run({"column": "text", "operation": "parse"}, df)
    assert err.value.message.startswith(
        "column: cannot parse 'bad' (row 1) of 'text' as a datetime"
    )


def test_parse_blank_text_is_null():
    df = pd.DataFrame({"d": ["2024-01-01", " "]})
    out = run({"column": "d", "operation": "parse"}, df)
    assert pd.isna(out["d"].iloc[1])


def test_format(df):
    out = op(df, operation="format", format="%Y/%m/%d %H시", target="label")
    assert_frame_equal(out, df.assign(label=df["시각"].dt.strftime("%Y/%m/%d %H시")))
    assert pd.isna(out["label"].iloc[1])


# -- extract -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        ("year", [2024, None, 2023]),
        ("quarter", [2, None, 4]),
        ("month", [5, None, 12]),
        ("week", [20, None, 52]),
        ("day", [15, None, 31]),
        ("weekday", [2, None, 6]),
        ("hour", [13, None, 23]),
        ("minute", [45, None, 59]),
        ("second", [10, None, 0]),
        ("dayofyear", [136, None, 365]),
    ],
)
def test_extract(df, part, expected):
    out = op(df, operation="extract", part=part)
    assert_series_equal(out["시각"], pd.Series(expected, dtype="Int64", name="시각"))


# -- diff ----------------------------------------------------------------------------------


def test_diff_to_other_column_in_hours(df):
    out = op(df, operation="diff", other_column="end", unit="hours", target="h")
    assert_frame_equal(out, df.assign(h=(df["end"] - df["시각"]) / pd.Timedelta(hours=1)))
    assert out["h"].iloc[0] == 12.0


@pytest.mark.parametrize("unit", ["days", "minutes", "seconds", "weeks"])
def test_diff_to_a_fixed_date(df, unit):
    out = op(df, operation="diff", to="2025-01-01", unit=unit)
    expected = (pd.Timestamp("2025-01-01") - df["시각"]) / pd.Timedelta(**{unit: 1})
    assert_series_equal(out["시각"], expected)


def test_diff_to_now_is_positive_for_past_dates(df):
    out = op(df, operation="diff", to="now")
    days = out["시각"]
    assert days.iloc[0] > 365 and pd.isna(days.iloc[1])


def test_diff_parses_a_text_column_first(df):
    out = run({"column": "text", "operation": "diff", "to": "2024-02-01"}, df)
    assert out["text"].iloc[0] == 1.0 and out["text"].iloc[1:].isna().all()


def test_diff_naive_against_time_zone_fails_clearly(df):
    aware = df.assign(시각=df["시각"].dt.tz_localize("Asia/Seoul"))
    with pytest.raises(NodeError, match=r"^to: diff failed: .*tz-naive and tz-aware"):
        op(aware, operation="diff", to="2024-01-01")


# -- shift ---------------------------------------------------------------------------------


@pytest.mark.parametrize("unit", ["days", "weeks", "hours", "minutes"])
def test_shift_by_fixed_units(df, unit):
    out = op(df, operation="shift", amount=-3, unit=unit)
    assert_series_equal(out["시각"], df["시각"] + pd.Timedelta(**{unit: -3}))


@pytest.mark.parametrize("unit", ["months", "years"])
def test_shift_by_calendar_units(df, unit):
    out = op(df, operation="shift", amount=2, unit=unit)
    assert_series_equal(out["시각"], df["시각"] + pd.DateOffset(**{unit: 2}))


def test_shift_month_end_clips_to_the_shorter_month():
    df = pd.DataFrame({"d": pd.to_datetime(["2024-01-31"])})
    out = run({"column": "d", "operation": "shift", "amount": 1, "unit": "months"}, df)
    assert out["d"].iloc[0] == pd.Timestamp("2024-02-29")


# -- truncate ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "first", "last"),
    [
        ("year", "2024-01-01", "2023-01-01"),
        ("quarter", "2024-04-01", "2023-10-01"),
        ("month", "2024-05-01", "2023-12-01"),
        ("week", "2024-05-13", "2023-12-25"),
        ("day", "2024-05-15", "2023-12-31"),
        ("hour", "2024-05-15 13:00", "2023-12-31 23:00"),
    ],
)
def test_truncate(df, unit, first, last):
    out = op(df, operation="truncate", unit=unit)
    expected = pd.Series(pd.to_datetime([first, None, last], format="ISO8601"), name="시각")
    assert_series_equal(out["시각"], expected.dt.as_unit(df["시각"].dt.unit))


def test_truncate_keeps_the_time_zone():
    s = pd.Series(pd.to_datetime(["2024-03-31 23:30"])).dt.tz_localize("Asia/Seoul")
    out = run({"column": "d", "operation": "truncate", "unit": "month"}, pd.DataFrame({"d": s}))
    assert out["d"].iloc[0] == pd.Timestamp("2024-03-01", tz="Asia/Seoul")


# -- tables and config ---------------------------------------------------------------------


def test_empty_table():
    df = pd.DataFrame({"d": pd.Series([], dtype="datetime64[us]")})
    assert_frame_equal(run({"column": "d", "operation": "truncate", "unit": "day"}, df), df)
    out = run({"column": "d", "operation": "extract", "part": "year"}, df)
    assert out["d"].dtype == "Int64" and out.empty


def test_missing_columns(df):
    with pytest.raises(NodeError, match=r"^column: column 'x' not found"):
        run({"column": "x", "operation": "extract", "part": "day"}, df)
    with pytest.raises(NodeError, match=r"^other_column: column 'y' not found"):
        op(df, operation="diff", other_column="y")


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"operation": "rewind"}, "operation: Input should be 'parse'"),
        ({"operation": "format"}, "format: required by operation format"),
        ({"operation": "extract"}, "part: required by operation extract"),
        ({"operation": "extract", "part": "century"}, "part: Input should be"),
        ({"operation": "shift", "unit": "days"}, "amount: required by operation shift"),
        ({"operation": "truncate"}, "unit: required by operation truncate"),
        ({"operation": "truncate", "unit": "days"}, "unit: truncate takes year, quarter, month"),
        ({"operation": "shift", "amount": 1, "unit": "seconds"}, "unit: shift takes days, weeks"),
        ({"operation": "diff"}, "other_column: diff needs other_column or to"),
        ({"operation": "diff", "to": "now", "other_column": "b"}, "other_column: diff needs"),
        ({"operation": "diff", "to": "next week"}, "to: 'next week' is neither \"now\" nor"),
        ({"operation": "shift", "amount": 1, "part": "day"}, "part: not used by operation shift"),
        ({"operation": "format", "format": "%Y", "errors": "coerce"}, "errors: not used by"),
    ],
)
def test_bad_config(config, message):
    with pytest.raises(ConfigError) as err:
        DateTransform("d", {"column": "a", **config})
    assert err.value.message.startswith(message)


def test_unused_fields_left_null_are_accepted():
    node = DateTransform("d", {"column": "a", "operation": "shift", "amount": 1, "part": None})
    assert node.config.part is None

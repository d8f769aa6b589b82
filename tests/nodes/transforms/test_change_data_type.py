from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from flows.errors import ConfigError, NodeError
from nodes.transforms.change_data_type import ChangeDataType


def run(config, df):
    before = df.copy()
    out = ChangeDataType("c", config).invoke({"in": df})["out"]
    assert_frame_equal(df, before)
    return out


def convert(col, target, values, **config):
    df = pd.DataFrame({col: values})
    return run({"types": {col: target}, **config}, df)[col]


# -- int ------------------------------------------------------------------------------------


def test_int_from_clean_text_equals_pandas():
    s = pd.Series(["1", "-2", "30"], name="n")
    assert_series_equal(convert("n", "int", s), pd.to_numeric(s).astype("Int64"))


def test_int_keeps_nulls_and_treats_blank_as_null():
    out = convert("n", "int", pd.Series(["1", None, " ", "", " 7 ", "3.0"], dtype=object))
    assert_series_equal(out, pd.Series([1, None, None, None, 7, 3], dtype="Int64", name="n"))


def test_int_from_float_column_with_nan_equals_pandas():
    s = pd.Series([1.0, np.nan, -4.0], name="n")
    assert_series_equal(convert("n", "int", s), s.astype("Int64"))


def test_int_from_mixed_objects_and_bools():
    out = convert("n", "int", pd.Series([1, "2", 3.0, True], dtype=object))
    assert out.tolist() == [1, 2, 3, 1]
    assert_series_equal(
        convert("b", "int", [True, False]), pd.Series([1, 0], dtype="Int64", name="b")
    )


def test_int_keeps_big_integers_exact():
    out = convert("n", "int", ["9007199254740993", None])
    assert out.iloc[0] == 9007199254740993


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["1", "2", "3", "abc"], "types.amount: cannot convert 'abc' (row 3) to int"),
        ([1.0, 2.5], "types.amount: cannot convert 2.5 (row 1) to int"),
        (["1", "99999999999999999999"], "cannot convert '99999999999999999999' (row 1) to int"),
        (["x", "y"], "types.amount: cannot convert 'x' (row 0) to int"),
    ],
)
def test_int_raise_names_column_value_and_row(values, message):
    with pytest.raises(NodeError) as err:
        convert("amount", "int", values)
    assert message in err.value.message


def test_int_coerce_makes_bad_values_null():
    out = convert("n", "int", ["1", "abc", "2.5", None], errors="coerce")
    assert_series_equal(out, pd.Series([1, None, None, None], dtype="Int64", name="n"))


# -- float, string, category ---------------------------------------------------------------


def test_float_equals_pandas():
    s = pd.Series(["1.5", "2", None, "1e3"], name="x")
    assert_series_equal(convert("x", "float", s), pd.to_numeric(s).astype("float64"))
    ints = pd.Series([1, None, 3], dtype="Int64", name="x")
    assert_series_equal(convert("x", "float", ints), ints.astype("float64"))


def test_float_raise_and_coerce():
    with pytest.raises(NodeError, match=r"^types\.x: cannot convert '1,5' \(row 1\) to float$"):
        convert("x", "float", ["1", "1,5"])
    out = convert("x", "float", ["1", "1,5"], errors="coerce")
    assert_series_equal(out, pd.Series([1.0, np.nan], name="x"))


def test_string_equals_pandas_and_keeps_nulls():
    s = pd.Series([1, None, 3], dtype="Int64", name="s")
    out = convert("s", "string", s)
    assert_series_equal(out, s.astype("string"))
    assert out.isna().tolist() == [False, True, False]


def test_string_with_format_formats_datetimes():
    s = pd.Series(pd.to_datetime(["2024-03-05", None]), name="d")
    out = convert("d", "string", s, formats={"d": "%d.%m.%Y"})
    assert_series_equal(out, s.dt.strftime("%d.%m.%Y").astype("string"))
    assert out.iloc[0] == "05.03.2024"


def test_category_equals_pandas():
    s = pd.Series(["b", "a", None, "b"], name="c")
    assert_series_equal(convert("c", "category", s), s.astype("category"))


# -- bool ----------------------------------------------------------------------------------


def test_bool_words_in_any_case():
    out = convert("ok", "bool", ["TRUE", "no", " Yes ", "0", "1", "false", None, ""])
    expected = pd.Series([True, False, True, False, True, False, None, None], dtype="boolean")
    assert_series_equal(out, expected.rename("ok"))


def test_bool_from_numbers_and_bools():
    assert convert("ok", "bool", [1, 0, 1]).tolist() == [True, False, True]
    assert_series_equal(
        convert("ok", "bool", [True, False]), pd.Series([True, False], dtype="boolean", name="ok")
    )


def test_bool_raise_and_coerce():
    with pytest.raises(NodeError, match=r"^types\.ok: cannot convert 'maybe' \(row 1\) to bool$"):
        convert("ok", "bool", ["yes", "maybe"])
    with pytest.raises(NodeError, match=r"^types\.ok: cannot convert 2 \(row 0\) to bool$"):
        convert("ok", "bool", [2, 1])
    out = convert("ok", "bool", ["yes", "maybe"], errors="coerce")
    assert out.tolist() == [True, pd.NA]


# -- datetime and date ---------------------------------------------------------------------


def test_datetime_equals_pandas():
    s = pd.Series(["2024-01-05 10:00:00", None, "2024-02-29 23:59:59"], name="t")
    assert_series_equal(convert("t", "datetime", s), pd.to_datetime(s))


def test_datetime_with_format():
    s = pd.Series(["05/01/2024", "31/12/2023"], name="t")
    out = convert("t", "datetime", s, formats={"t": "%d/%m/%Y"})
    assert_series_equal(out, pd.to_datetime(s, format="%d/%m/%Y"))
    assert out.iloc[0].month == 1


def test_datetime_already_datetime_is_unchanged():
    s = pd.Series(pd.to_datetime(["2024-01-05 10:00"]), name="t")
    assert_series_equal(convert("t", "datetime", s), s)


def test_datetime_raise_hints_at_formats():
    with pytest.raises(NodeError) as err:
        convert("t", "datetime", ["2024-01-05", "not a date"])
    assert err.value.message.startswith(
        "types.t: cannot convert 'not a date' (row 1) to datetime (set formats.t"
    )


def test_datetime_coerce():
    out = convert("t", "datetime", ["2024-01-05", "nope"], errors="coerce")
    assert out.iloc[0] == pd.Timestamp("2024-01-05")
    assert pd.isna(out.iloc[1])


def test_date_normalises_to_midnight():
    s = pd.Series(["2024-01-05 10:30:00", "2024-01-06 00:00:00", None], name="d")
    out = convert("d", "date", s)
    assert_series_equal(out, pd.to_datetime(s).dt.normalize())
    assert out.iloc[0] == pd.Timestamp("2024-01-05")


# -- decimal -------------------------------------------------------------------------------


def test_decimal_values():
    out = convert("m", "decimal", pd.Series(["1.10", 0.1, 3, None, " -2.5 "], dtype=object))
    assert out.dtype == object
    assert out.tolist() == [Decimal("1.10"), Decimal("0.1"), Decimal("3"), None, Decimal("-2.5")]
    assert str(out.iloc[0]) == "1.10"  # the text's own precision is kept


def test_decimal_raise_and_coerce():
    with pytest.raises(NodeError, match=r"^types\.m: cannot convert 'NaN' \(row 0\) to decimal$"):
        convert("m", "decimal", ["NaN"])
    out = convert("m", "decimal", ["1", "x"], errors="coerce")
    assert out.tolist() == [Decimal("1"), None]


# -- whole tables --------------------------------------------------------------------------


def test_several_columns_unicode_names_and_untouched_columns():
    df = pd.DataFrame({"금액": ["1", "2"], "날짜": ["2024-01-01", "2024-01-02"], "x": ["a", "b"]})
    out = run({"types": {"금액": "int", "날짜": "date"}}, df)
    expected = df.assign(
        금액=pd.to_numeric(df["금액"]).astype("Int64"), 날짜=pd.to_datetime(df["날짜"])
    )
    assert_frame_equal(out, expected)


def test_empty_table():
    df = pd.DataFrame({"n": pd.Series([], dtype="str"), "ok": pd.Series([], dtype="str")})
    out = run({"types": {"n": "int", "ok": "bool"}}, df)
    assert out.dtypes.astype(str).to_dict() == {"n": "Int64", "ok": "boolean"}
    assert out.empty


def test_missing_column():
    with pytest.raises(NodeError, match=r"^types: column 'y' not found \(available: x\)"):
        run({"types": {"y": "int"}}, pd.DataFrame({"x": [1]}))


def test_mixed_time_zones_fail_with_the_column_name():
    with pytest.raises(NodeError, match=r"^types\.t: cannot convert to datetime: Mixed timezones"):
        convert("t", "datetime", ["2024-01-01T00:00+01:00", "2024-01-01T00:00+02:00"])


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"types": {"a": "integer"}}, "types.a: Input should be 'int', 'float'"),
        ({"types": {}}, "types: Dictionary should have at least 1 item"),
        (
            {"types": {"a": "int"}, "errors": "ignore"},
            "errors: Input should be 'raise' or 'coerce'",
        ),
        (
            {"types": {"a": "int"}, "formats": {"b": "%Y"}},
            "formats.b: column is not listed in types",
        ),
        (
            {"types": {"a": "int"}, "formats": {"a": "%Y"}},
            "formats.a: a format applies to datetime, date or string, not int",
        ),
    ],
)
def test_bad_config(config, message):
    with pytest.raises(ConfigError) as err:
        ChangeDataType("c", config)
    assert err.value.message.startswith(message)

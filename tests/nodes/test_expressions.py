"""The safe expression language: each construct against the pandas a user would write."""

from __future__ import annotations

import ast
import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_series_equal

from flows.errors import ExpressionError, NodeError
from nodes.expressions import FUNCTIONS, compile_expression, evaluate_mask


@pytest.fixture
def df() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "n": [1, 2, 3, 4],
            "x": [1.5, None, -2.0, 4.0],
            "y": [2.0, 3.0, 0.0, None],
            "s": ["Seoul", None, "busan", "  Jeju "],
            "d": pd.to_datetime(["2024-01-31", None, "2023-07-04", "2024-12-01"]),
            "flag": [True, False, True, False],
            "금액": [100, 250, 80, 300],
            "unit price": [1.0, 2.0, 3.0, 4.0],
        }
    )


def ev(text: str, frame: pd.DataFrame | None = None, params=None, names=None):
    return compile_expression(text).evaluate(frame, params or {}, names)


def kleene(result: pd.Series, *operands: pd.Series) -> pd.Series:
    """A pandas comparison made SQL-like by hand: null where an operand is null."""
    nulls = np.zeros(len(result), dtype=bool)
    for operand in operands:
        nulls |= operand.isna().to_numpy()
    return result.astype("boolean").mask(nulls)


def same(got: pd.Series, expected: pd.Series) -> None:
    assert_series_equal(got, expected, check_names=False)


# -- arithmetic -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("x + y", lambda d: d.x + d.y),
        ("x - y", lambda d: d.x - d.y),
        ("x * y", lambda d: d.x * d.y),
        ("x / y", lambda d: d.x / d.y),
        ("n // y", lambda d: d.n // d.y),
        ("n % 3", lambda d: d.n % 3),
        ("n + 1", lambda d: d.n + 1),
        ("-x", lambda d: -d.x),
        ("+x", lambda d: d.x),
        ("n / 0", lambda d: d.n / 0),
        ("n // 0", lambda d: d.n // 0),
        ("n % 0", lambda d: d.n % 0),
        ("x ** 2", lambda d: d.x**2),
        # ** works in floats, so integer powers never wrap around or grow huge.
        ("n ** 2", lambda d: d.n.astype("float64") ** 2),
        ("2 ** n", lambda d: 2.0 ** d.n.astype("float64")),
        ("`unit price` * n", lambda d: d["unit price"] * d.n),
        ("금액 * 2", lambda d: d["금액"] * 2),
        ("s + '!'", lambda d: d.s + "!"),
        ("s + s", lambda d: d.s + d.s),
        ("d - d", lambda d: d.d - d.d),
    ],
)
def test_arithmetic_matches_pandas(df, text, plain):
    same(ev(text, df), plain(df))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("2 ** 3 ** 2", 512.0),
        ("-2 ** 2", -4.0),
        ("7 // 2", 3),
        ("7 % 3", 1),
        ("1 / 0", math.inf),
        ("-1 // 0", -math.inf),
        ("0 / 0", None),  # NaN is null
        ("'a' + 'b'", "ab"),
        ("2 ** 1000", 2.0**1000),
        ("round(10 / 4, 1)", 2.5),
    ],
)
def test_scalar_expressions_return_scalars(text, expected):
    value = ev(text)
    assert value == expected and type(value) is type(expected)


def test_arithmetic_with_null_is_null(df):
    assert ev("null + 1") is None
    same(ev("x * null", df), pd.Series([np.nan] * 4))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("s + 1", "cannot apply '+' to column 's' (str) and 1 (int)"),
        ("s * 2", "cannot apply '*' to column 's' (str) and 2 (int)"),
        ("flag + 1", "cannot apply '+' to column 'flag' (bool) and 1 (int)"),
        ("-s", "cannot apply unary '-' to column 's' (str)"),
    ],
)
def test_arithmetic_type_errors_name_the_operands(df, text, message):
    with pytest.raises(NodeError) as info:
        ev(text, df)
    assert message in info.value.message


# -- comparisons and nulls ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("x == 1.5", lambda d: d.x == 1.5),
        ("x != 1.5", lambda d: d.x != 1.5),
        ("x < y", lambda d: d.x < d.y),
        ("x <= -2", lambda d: d.x <= -2),
        ("x > 0", lambda d: d.x > 0),
        ("x >= y", lambda d: d.x >= d.y),
        ("s == 'Seoul'", lambda d: d.s == "Seoul"),
        ("s != 'Seoul'", lambda d: d.s != "Seoul"),
        ("d > '2024-01-01'", lambda d: d.d > "2024-01-01"),
    ],
)
def test_comparisons_are_null_where_an_operand_is_null(df, text, plain):
    sides = [df[c] for c in ("x", "y", "s", "d") if c in text]
    same(ev(text, df), kleene(plain(df), *sides))


def test_comparisons_without_nulls_stay_numpy_bool(df):
    same(ev("n > 2", df), df.n > 2)
    same(ev("flag == true", df), df.flag == True)  # noqa: E712


def test_not_equal_to_null_is_not_true(df):
    # pandas says NaN != 1.5 is True; SQL (and we) say null, and the row leaves a filter.
    assert ev("x != 1.5", df).tolist() == [False, pd.NA, True, True]
    assert evaluate_mask(compile_expression("x != 1.5"), df, {}).tolist() == [
        False,
        False,
        True,
        True,
    ]
    assert evaluate_mask(compile_expression("not (x == 1.5)"), df, {}).tolist() == [
        False,
        False,
        True,
        True,
    ]


def test_comparison_with_null_literal_is_null(df):
    assert ev("x == null", df).isna().all()
    assert ev("1 == null") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true and null", None),
        ("false and null", False),
        ("true or null", True),
        ("false or null", None),
        ("not null", None),
        ("not false", True),
        ("null and false or true", True),
    ],
)
def test_three_valued_logic_on_scalars(text, expected):
    assert ev(text) is expected


def test_three_valued_logic_on_columns(df):
    a = kleene(df.x > 0, df.x)
    b = kleene(df.y > 1, df.y)
    same(ev("x > 0 and y > 1", df), a & b)
    same(ev("x > 0 or y > 1", df), a | b)
    same(ev("not x > 0", df), ~a)


def test_chained_comparison_is_and_of_pairs(df):
    same(ev("1 < n <= 3", df), (df.n > 1) & (df.n <= 3))
    same(ev("0 < x < y", df), kleene(df.x > 0, df.x) & kleene(df.x < df.y, df.x, df.y))


def test_precedence_of_not_and_or(df):
    expected = (df.n == 1) | ((df.n > 2) & ~(df.n == 4))
    same(ev("n == 1 or n > 2 and not n == 4", df), expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("s == 5", "cannot compare column 's' (str) with 5 (int) using '=='"),
        ("n > 'a'", "cannot compare column 'n' (int64) with 'a' (str) using '>'"),
        ("d < 3", "cannot compare column 'd' (datetime64[us]) with 3 (int) using '<'"),
        ("n in ('a', 'b')", "cannot compare column 'n' (int64) with 'a' in the list after 'in'"),
        ("'a' < 1", "cannot compare 'a' (str) with 1 (int) using '<'"),
    ],
)
def test_text_against_numbers_is_an_error(df, text, message):
    with pytest.raises((NodeError, ExpressionError)) as info:
        ev(text, df)
    assert message in info.value.message


def test_mixed_object_column_ordering_names_the_column():
    frame = pd.DataFrame({"m": ["a", 1, None]})
    with pytest.raises(NodeError, match=r"cannot compare column 'm' \(object\) with 1 \(int\)"):
        ev("m > 1", frame)
    same(ev("m == 'a'", frame), kleene(frame.m == "a", frame.m))


# -- in / not in ----------------------------------------------------------------------------
def test_in_and_not_in_match_isin_with_nulls_out(df):
    same(ev("s in ('Seoul', 'busan')", df), kleene(df.s.isin(["Seoul", "busan"]), df.s))
    same(ev("s not in ['Seoul']", df), kleene(~df.s.isin(["Seoul"]), df.s))
    same(ev("n in (1, 4)", df), df.n.isin([1, 4]))
    mask = evaluate_mask(compile_expression("s not in ('Seoul',)"), df, {})
    assert mask.tolist() == [False, False, True, True]  # null is never in, nor "not in"


def test_null_in_the_list_never_matches(df):
    assert ev("s in ('Seoul', null)", df).tolist() == [True, pd.NA, False, False]


def test_in_a_list_parameter(df):
    same(ev("n in @ids", df, {"ids": [2, 3]}), df.n.isin([2, 3]))
    same(ev("n in @one", df, {"one": 2}), df.n.isin([2]))
    assert ev("@r in ('KR', 'JP')", params={"r": "KR"}) is True


def test_negative_numbers_in_list(df):
    same(ev("x in (-2, 1.5)", df), kleene(df.x.isin([-2, 1.5]), df.x))


# -- names, backticks, parameters -----------------------------------------------------------
def test_backticks_and_unicode_names():
    frame = pd.DataFrame(
        {
            "unit price": [1, 5],
            "a.b": [3, 4],
            "_id": [7, 8],
            "and": [1, 0],
            "도시": ["서울", "부산"],
        }
    )
    same(ev("`unit price` > 2", frame), frame["unit price"] > 2)
    same(ev("`a.b` + `_id`", frame), frame["a.b"] + frame["_id"])
    same(ev("`and` == 1", frame), frame["and"] == 1)
    same(ev("도시 == '서울'", frame), frame["도시"] == "서울")
    assert compile_expression("`unit price` + 도시").columns == {"unit price", "도시"}


def test_backticks_and_at_inside_strings_are_text():
    frame = pd.DataFrame({"s": ["`x`", "a@b", "#c"]})
    same(ev("s == '`x`'", frame), frame.s == "`x`")
    same(ev('s == "a@b"', frame), frame.s == "a@b")
    same(ev("s == '#c'  # a comment with `ticks` and @at", frame), frame.s == "#c")


def test_multiline_and_leading_spaces(df):
    same(ev("  n > 1\n  and n < 4", df), (df.n > 1) & (df.n < 4))


def test_parameters(df):
    expr = compile_expression("n > @low and s == @city")
    assert expr.parameters == {"low", "city"} and expr.columns == {"n", "s"}
    got = expr.evaluate(df, {"low": 0, "city": "Seoul"})
    same(got, kleene((df.n > 0) & (df.s == "Seoul"), df.s))
    with pytest.raises(NodeError, match="unknown parameter @low"):
        expr.evaluate(df, {})


def test_date_parameter_compares_with_dates(df):
    same(ev("d >= @since", df, {"since": dt.date(2024, 1, 1)}), kleene(df.d >= "2024-01-01", df.d))


def test_list_parameter_outside_in_is_refused(df):
    with pytest.raises(NodeError, match=r"parameter @ids holds a list: use it after 'in'"):
        ev("n == @ids", df, {"ids": [1]})


def test_names_resolve_before_columns(df):
    assert ev("row_count > 3", df, names={"row_count": 4}) is True
    frame = df.assign(row_count=[9, 9, 9, 9])
    # Backticks always mean the column.
    same(ev("`row_count` > row_count", frame, names={"row_count": 5}), frame.row_count > 5)


def test_missing_and_duplicate_columns():
    frame = pd.DataFrame({"a": [1], "b": [2]})
    with pytest.raises(NodeError, match=r"column 'zz' not found \(available: a, b\)"):
        ev("zz > 1", frame)
    dup = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(NodeError, match="column 'a' appears 2 times"):
        ev("a > 1", dup)


def test_integer_column_labels_by_their_text():
    frame = pd.DataFrame([[1, 5], [2, 6]])
    same(ev("`1` > 5", frame), frame[1] > 5)


def test_literals(df):
    assert [ev(t) for t in ("true", "True", "false", "False")] == [True, True, False, False]
    assert ev("null") is None and ev("None") is None
    assert ev("'it''s'") == "its"  # implicit concatenation, as in Python


# -- functions ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("abs(x)", lambda d: d.x.abs()),
        ("round(x / 3, 2)", lambda d: (d.x / 3).round(2)),
        ("round(x)", lambda d: d.x.round(0)),
        ("floor(x)", lambda d: np.floor(d.x)),
        ("ceil(x)", lambda d: np.ceil(d.x)),
        ("sqrt(x)", lambda d: np.sqrt(d.x)),
        ("log(y)", lambda d: np.log(d.y)),
        ("exp(x)", lambda d: np.exp(d.x)),
        ("min(x, y)", lambda d: d[["x", "y"]].min(axis=1)),
        ("max(x, y, 2)", lambda d: d[["x", "y"]].assign(k=2.0).max(axis=1)),
        ("coalesce(x, y, 0)", lambda d: d.x.fillna(d.y).fillna(0)),
        ("is_null(x)", lambda d: d.x.isna()),
        ("not_null(s)", lambda d: d.s.notna()),
        ("lower(s)", lambda d: d.s.str.lower()),
        ("upper(s)", lambda d: d.s.str.upper()),
        ("trim(s)", lambda d: d.s.str.strip()),
        ("length(s)", lambda d: d.s.str.len()),
        ("len(s)", lambda d: d.s.str.len()),
        ("contains(s, 'u')", lambda d: kleene(d.s.str.contains("u", regex=False) == True, d.s)),  # noqa: E712
        ("contains(s, '.')", lambda d: kleene(d.s.str.contains(".", regex=False) == True, d.s)),  # noqa: E712
        ("startswith(s, 'S')", lambda d: kleene(d.s.str.startswith("S") == True, d.s)),  # noqa: E712
        ("endswith(s, 'n')", lambda d: kleene(d.s.str.endswith("n") == True, d.s)),  # noqa: E712
        ("replace(s, 'u', '.*')", lambda d: d.s.str.replace("u", ".*", regex=False)),
        ("concat(s, '-', n)", lambda d: d.s + "-" + d.n.astype("str")),
        ("substr(s, 1, 3)", lambda d: d.s.str.slice(1, 4)),
        ("substr(s, 2)", lambda d: d.s.str.slice(2)),
        ("to_number(to_string(n))", lambda d: d.n),
        ("to_string(x)", lambda d: d.x.astype("str")),
        ("year(d)", lambda d: d.d.dt.year),
        ("month(d)", lambda d: d.d.dt.month),
        ("day(d)", lambda d: d.d.dt.day),
        ("if_else(flag, n, x)", lambda d: d.n.where(d.flag, d.x)),
        ("n if flag else 0", lambda d: d.n.where(d.flag, 0)),
    ],
)
def test_functions_match_pandas(df, text, plain):
    with np.errstate(all="ignore"):  # sqrt/log of negatives and zero, as in plain numpy
        expected = plain(df)
    same(ev(text, df), expected)


def test_text_functions_on_literals():
    assert ev("lower('ABC')") == "abc" and ev("trim('  a ')") == "a" and ev("length('abcd')") == 4
    assert ev("substr('Seoul', 0, 2)") == "Se" and ev("replace('a.b', '.', '-')") == "a-b"
    assert ev("contains('a.b', '.')") is True and ev("concat('a', 1, true)") == "a1True"
    assert ev("lower(null)") is None and ev("concat('a', null)") is None


def test_conversions(df):
    frame = pd.DataFrame(
        {"t": ["12", "x", None, "3.5"], "when": ["2024-02-03", "bad", None, "2024-12-31"]}
    )
    same(ev("to_number(t)", frame), pd.to_numeric(frame.t, errors="coerce"))
    same(ev("to_date(when)", frame), pd.to_datetime(frame.when, errors="coerce"))
    same(
        ev("to_date(when, '%Y-%m-%d')", frame),
        pd.to_datetime(frame.when, format="%Y-%m-%d", errors="coerce"),
    )
    assert ev("year(to_date('2024-03-04'))") == 2024
    assert ev("to_number('nope')") is None


def test_clock_functions_are_evaluated_at_run_time():
    expr = compile_expression("now()")
    first = expr.evaluate(None, {})
    assert isinstance(first, pd.Timestamp) and expr.evaluate(None, {}) >= first
    assert ev("today()") == pd.Timestamp.now().normalize()


def test_min_max_coalesce_edge_values():
    assert ev("min(null, 3, 1)") == 1 and ev("max(2, 5.5)") == 5.5
    assert ev("coalesce(null, null)") is None and ev("coalesce(null, 'a', 'b')") == "a"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lower(n)", "lower(): argument 1 must be text, got column 'n' (int64)"),
        ("sqrt(s)", "sqrt(): argument 1 must be a number, got column 's' (str)"),
        ("year(s)", "year(): argument 1 must be a date (use to_date(x) to read one from text)"),
        ("round(x, n)", "round(): argument 2 must be a whole number of digits, got column 'n'"),
        ("contains(s, s)", "contains(): argument 2 must be a text value (not a column)"),
        ("substr(s, -1)", "substr(): argument 2 must be a whole number >= 0"),
        ("x and flag", "expected a condition (true or false), got column 'x' (float64)"),
        ("upper(n * 2)", "upper(): argument 1 must be text, got 'n * 2' (int64)"),
        ("replace(s, '', 'x')", "replace(): argument 2 must be a non-empty text value"),
        ("to_date(s, '%Y%Y')", "to_date() cannot work on column 's' (str), '%Y%Y' (str)"),
    ],
)
def test_function_argument_errors(df, text, message):
    with pytest.raises(NodeError) as info:
        ev(text, df)
    assert message in info.value.message


def test_replace_cannot_blow_up_text():
    big = "a" * 1_000
    text = f"replace(replace(replace('{big}', 'a', '{big}'), 'a', '{big}'), 'a', '{big}')"
    with pytest.raises(ExpressionError, match="a result would hold 1,000,000,000 characters"):
        compile_expression(text)


def test_function_arity_is_checked_at_compile_time():
    with pytest.raises(ExpressionError, match=r"abs\(\) takes 1 argument\(s\), got 2"):
        compile_expression("abs(1, 2)")
    with pytest.raises(ExpressionError, match=r"min\(\) takes 2 or more argument\(s\), got 1"):
        compile_expression("min(x)")


# -- evaluate_mask and compile-once ---------------------------------------------------------
def test_evaluate_mask_is_plain_bool_on_the_frame_index():
    frame = pd.DataFrame({"a": [1.0, None, 3.0]}, index=["p", "q", "p"])
    mask = evaluate_mask(compile_expression("a > 1"), frame, {})
    same(mask, pd.Series([False, False, True], index=frame.index))
    assert mask.dtype == bool
    same(evaluate_mask(compile_expression("1 > 0"), frame, {}), pd.Series(True, index=frame.index))


def test_evaluate_mask_refuses_non_conditions(df):
    with pytest.raises(NodeError, match=r"expected a condition \(true or false\), got column 'n'"):
        evaluate_mask(compile_expression("n"), df, {})


def test_compiled_once_never_parsed_again(df, monkeypatch):
    expr = compile_expression("n > @k")

    def no_parse(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(ast, "parse", no_parse)
    same(expr.evaluate(df, {"k": 2}), df.n > 2)
    same(expr.evaluate(df.iloc[:2], {"k": 0}), df.n.iloc[:2] > 0)


def test_input_frame_is_not_modified(df):
    before = df.copy()
    ev("coalesce(x, 0) + n", df)
    pd.testing.assert_frame_equal(df, before)


# -- hostile input --------------------------------------------------------------------------
HOSTILE = [
    ("__import__('os')", "names starting with '_' are not allowed: __import__"),
    (
        "().__class__.__bases__[0].__subclasses__()",
        "attribute access is not allowed: .__subclasses__",
    ),
    ("a.__class__", "attribute access is not allowed: .__class__"),
    ("x.real", "attribute access is not allowed: .real"),
    ("df.query('1')", "attribute access is not allowed: .query"),
    ("open('/etc/passwd')", "unknown function 'open' (allowed: abs, round,"),
    ("eval('1')", "unknown function 'eval'"),
    ("exec('1')", "unknown function 'exec'"),
    ("lambda: 1", "lambda is not allowed"),
    ("[x for x in y]", "comprehensions are not allowed"),
    ("(x for x in y)", "generator expressions are not allowed"),
    ("(lambda: 1)()", "lambda is not allowed"),
    ("f'{a}'", "f-strings are not allowed"),
    ("a[0]", "subscripts ([...]) are not allowed"),
    ("{'a': 1}", "dict literals ({...}) are not allowed"),
    ("{1}", "set literals ({...}) are not allowed"),
    ("_hidden", "names starting with '_' are not allowed: _hidden"),
    ("9**9**9", "exponent 3.8742e+08 is too large (the limit is 1,000)"),
    ("10**100000", "exponent 100000 is too large (the limit is 1,000)"),
    ("2 ** -1001", "exponent -1001 is too large"),
    ("getattr(a, 'b')", "unknown function 'getattr'"),
    ("type(a)", "unknown function 'type'"),
    ("round(x, ndigits=2)", "keyword arguments are not allowed: ndigits="),
    ("round(**x)", "keyword arguments are not allowed: **"),
    ("a := 1", "assignment (:=) is not allowed"),
    ("(a := 1)", "assignment (:=) is not allowed"),
    ("*a", "cannot use starred expression here"),
    ("abs(*a)", "starred arguments (*) are not allowed"),
    ("yield", "yield is not allowed"),
    ("(yield x)", "yield is not allowed"),
    ("await x", "await is not allowed"),
    ("getattr(1, '\\x5f\\x5fclass\\x5f\\x5f')", "unknown function 'getattr'"),
    ("'\\x5f\\x5fclass\\x5f\\x5f'.upper()", "attribute access is not allowed: .upper"),
    ("\uff45val('1')", "unknown function 'eval'"),  # NFKC turns fullwidth e into e
    ("\u0435val('1')", "unknown function '\u0435val'"),  # Cyrillic e: just another name
    ("\uff3f\uff3fimport\uff3f\uff3f('os')", "invalid character"),  # fullwidth low lines
    ("a & b", "operator '&' is not allowed (use 'and')"),
    ("~a", "operator '~' is not allowed (use 'not')"),
    ("a is None", "'is' is not allowed: use is_null(x) or not_null(x)"),
    ("[1, 2]", "a list is only allowed after 'in' / 'not in'"),
    ("1, 2", "a list is only allowed after 'in' / 'not in'"),
    ("x in y", "after 'in' write a list such as ('a', 'b') or a @parameter"),
    ("x in (y, 1)", "the list after 'in' may hold only literal values"),
    ("b'x'", "bytes literals are not allowed"),
    ("1j", "complex literals are not allowed"),
    ("99999999999999999999", "integer literal is too large (more than 64 bits)"),
    ("`abs`(1)", "only functions can be called"),
    ("(1)(2)", "only functions can be called"),
    ("`a", "unterminated backtick"),
    ("@", "expected a parameter name after '@'"),
    ("a +", "invalid syntax"),
    ("", "expression is empty"),
    ("a\x00", "expression contains a NUL character"),
]


@pytest.mark.parametrize(("text", "message"), HOSTILE)
def test_hostile_input_is_refused_with_a_clear_message(text, message):
    with pytest.raises(ExpressionError) as info:
        compile_expression(text)
    assert message in info.value.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a" * 20_000, "expression is too long (20,000 characters; the limit is 10,000)"),
        ("(" * 500 + "1" + ")" * 500, "nested too deeply (more than 60 levels)"),
        ("-" * 9_000 + "x", "nested too deeply"),
        ("not " * 2_400 + "x", "nested too deeply"),
        ("+".join(["x"] * 100), "nested too deeply"),
        ("x in (" + ", ".join(["1"] * 2_500) + ")", "too large (more than 2,000 parts)"),
        ("min(" + ",".join(["x"] * 2_100) + ")", "too large (more than 2,000 parts)"),
    ],
)
def test_limits(text, message):
    with pytest.raises(ExpressionError) as info:
        compile_expression(text)
    assert message in info.value.message


def test_a_string_that_spells_a_dunder_is_only_a_string():
    assert ev("'\\x5f\\x5fclass\\x5f\\x5f'") == "__class__"
    frame = pd.DataFrame({"s": ["__class__", "x"]})
    same(ev("s == '\\x5f\\x5fclass\\x5f\\x5f'", frame), frame.s == "__class__")


def test_lookalike_names_are_only_columns():
    # NFKC makes the fullwidth name "eval": a column name, never something callable.
    expr = compile_expression("\uff45val > 1")
    assert expr.columns == {"eval"}
    with pytest.raises(NodeError, match="column 'eval' not found"):
        expr.evaluate(pd.DataFrame({"x": [1]}), {})


def test_placeholders_cannot_be_forged():
    # Whatever the internal spelling, a name the user writes with '_' is refused.
    for forged in ("_mx0_c0 == `a`", "_mx0_p0 + @p"):
        with pytest.raises(ExpressionError, match="names starting with '_' are not allowed"):
            compile_expression(forged)


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("a.__class__", 1),
        ("`unit price` + x.y", 16),
        ("@p + lambda: 1", 5),
        ("amount > 5 and open('x')", 15),
        ("금액 > 3 and b[0]", 11),
        ("x +\n  y.z", 7),
        ("a +* b", 3),
    ],
)
def test_error_position_is_an_offset_in_the_original_text(text, position):
    with pytest.raises(ExpressionError) as info:
        compile_expression(text)
    assert info.value.position == position
    assert f"(at position {position})" in info.value.message


def test_constant_errors_are_caught_at_compile_time():
    with pytest.raises(ExpressionError, match=r"cannot compare 'x' \(str\) with 1 \(int\)"):
        compile_expression("n > 0 and 'x' > 1")


def test_function_allowlist_is_the_documented_one():
    assert set(FUNCTIONS) == {
        "abs", "round", "floor", "ceil", "sqrt", "log", "exp", "min", "max", "coalesce",
        "is_null", "not_null", "lower", "upper", "trim", "length", "len", "contains",
        "startswith", "endswith", "replace", "concat", "substr", "to_number", "to_string",
        "to_date", "year", "month", "day", "today", "now", "if_else",
    }  # fmt: skip

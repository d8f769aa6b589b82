import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from flows.errors import ConfigError, NodeError
from nodes.transforms.text_transform import TextTransform


def run(config, df):
    before = df.copy()
    out = TextTransform("t", config).invoke({"in": df})["out"]
    assert_frame_equal(df, before)
    return out


def apply(values, *operations, **config):
    df = pd.DataFrame({"텍스트": values})
    return run({"column": "텍스트", "operations": list(operations), **config}, df)["텍스트"]


@pytest.fixture
def s():
    return pd.Series(["  Hello World ", None, "ÉCOLE été", "x--y"], name="텍스트")


def test_trim_case_and_title(s):
    assert_series_equal(apply(s, {"op": "trim"}), s.str.strip())
    assert_series_equal(apply(s, {"op": "trim", "chars": " xd"}), s.str.strip(" xd"))
    assert_series_equal(apply(s, {"op": "lower"}), s.str.lower())
    assert_series_equal(apply(s, {"op": "upper"}), s.str.upper())
    assert_series_equal(apply(s, {"op": "title"}), s.str.title())


def test_operations_run_in_order(s):
    out = apply(s, {"op": "trim"}, {"op": "lower"}, {"op": "replace", "old": "o", "new": "0"})
    assert_series_equal(out, s.str.strip().str.lower().str.replace("o", "0", regex=False))
    assert out.tolist()[0] == "hell0 w0rld"


def test_replace_is_plain_text():
    out = apply(["a.b", "ab"], {"op": "replace", "old": ".", "new": "!"})
    assert out.tolist() == ["a!b", "ab"]


def test_regex_replace_with_groups(s):
    op = {"op": "regex_replace", "pattern": r"(\w)-+(\w)", "replacement": r"\2+\1"}
    assert_series_equal(apply(s, op), s.str.replace(r"(\w)-+(\w)", r"\2+\1", regex=True))
    assert apply(s, op).iloc[3] == "y+x"


@pytest.mark.parametrize("side", ["left", "right", "both"])
def test_pad(s, side):
    out = apply(s, {"op": "pad", "width": 12, "side": side, "fillchar": "*"})
    assert_series_equal(out, s.str.pad(12, side=side, fillchar="*"))


def test_slice_with_negative_start(s):
    assert_series_equal(apply(s, {"op": "slice", "start": -3}), s.str.slice(-3))
    assert_series_equal(apply(s, {"op": "slice", "start": 1, "stop": 4}), s.str.slice(1, 4))


def test_length_is_nullable_int(s):
    out = apply(s, {"op": "trim"}, {"op": "length"})
    assert_series_equal(out, s.str.strip().str.len().astype("Int64"))
    assert out.tolist() == [11, pd.NA, 9, 4]


def test_nulls_stay_null_through_every_operation(s):
    ops = [
        {"op": "trim"},
        {"op": "upper"},
        {"op": "replace", "old": "L", "new": "l"},
        {"op": "regex_replace", "pattern": "x", "replacement": "y"},
        {"op": "pad", "width": 3},
        {"op": "slice", "start": 0, "stop": 2},
    ]
    assert pd.isna(apply(s, *ops).iloc[1])


def test_numbers_and_mixed_objects_use_their_text_form():
    out = apply(
        pd.Series([12, "ab", None], dtype=object), {"op": "pad", "width": 4, "fillchar": "0"}
    )
    assert out.tolist()[:2] == ["0012", "00ab"]
    assert pd.isna(out.iloc[2])


def test_target_keeps_the_source(s):
    df = pd.DataFrame({"텍스트": s})
    out = run({"column": "텍스트", "operations": [{"op": "upper"}], "target": "up"}, df)
    assert_frame_equal(out, df.assign(up=s.str.upper()))


def test_empty_table():
    df = pd.DataFrame({"c": pd.Series([], dtype="str")})
    assert_frame_equal(run({"column": "c", "operations": [{"op": "upper"}]}, df), df)
    out = run({"column": "c", "operations": [{"op": "length"}]}, df)
    assert out["c"].dtype == "Int64"


def test_missing_column():
    with pytest.raises(NodeError, match=r"^column: column 'b' not found"):
        run({"column": "b", "operations": [{"op": "trim"}]}, pd.DataFrame({"a": ["x"]}))


@pytest.mark.parametrize(
    ("operations", "message"),
    [
        ([], "operations: List should have at least 1 item"),
        ([{"op": "reverse"}], "operations.0: Input tag 'reverse' found using 'op' does not match"),
        ([{"op": "trim"}, {"op": "pad"}], "operations.1.pad.width: Field required"),
        ([{"op": "replace", "old": ""}], "operations.0.replace.old: String should have at least"),
        (
            [{"op": "upper", "chars": "x"}],
            "operations.0.upper.chars: Extra inputs are not permitted",
        ),
        ([{"op": "pad", "width": 3, "fillchar": "ab"}], "operations.0.pad.fillchar: String should"),
        ([{"op": "length"}, {"op": "trim"}], "operations.0: length gives numbers, so it must be"),
        (
            [{"op": "regex_replace", "pattern": "[a-"}],
            "operations.0.pattern: invalid regular expression '[a-'",
        ),
        (
            [{"op": "regex_replace", "pattern": "(a)", "replacement": r"\2"}],
            r"operations.0.replacement: invalid replacement '\\2'",
        ),
    ],
)
def test_bad_config(operations, message):
    with pytest.raises(ConfigError) as err:
        TextTransform("t", {"column": "c", "operations": operations})
    assert err.value.message.startswith(message)

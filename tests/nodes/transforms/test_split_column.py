import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import ConfigError, NodeError
from nodes.transforms.split_column import SplitColumn


def run(config, df):
    before = df.copy()
    out = SplitColumn("s", config).invoke({"in": df})["out"]
    assert_frame_equal(df, before)
    return out


@pytest.fixture
def df():
    return pd.DataFrame({"id": [1, 2, 3, 4], "주소": ["서울,강남,역삼", "부산", None, ""], "z": 0})


def test_into_splits_at_most_len_minus_one_times(df):
    out = run({"column": "주소", "delimiter": ",", "into": ["시", "구"]}, df)
    pieces = df["주소"].str.split(",", n=1, expand=True, regex=False)
    expected = df[["id", "주소"]].assign(시=pieces[0], 구=pieces[1]).join(df[["z"]])
    assert_frame_equal(out, expected)
    assert out.loc[0, "구"] == "강남,역삼"  # the last column takes the rest
    assert pd.isna(out.loc[1, "구"])  # a missing piece is null
    assert pd.isna(out.loc[2, "시"])  # so is a null value


def test_into_more_names_than_any_value_has(df):
    out = run({"column": "주소", "delimiter": ",", "into": ["a", "b", "c", "d"]}, df)
    assert list(out.columns) == ["id", "주소", "a", "b", "c", "d", "z"]
    assert out["d"].isna().all()
    assert out.loc[0, ["a", "b", "c"]].tolist() == ["서울", "강남", "역삼"]


def test_into_one_name_copies_the_value(df):
    out = run({"column": "주소", "delimiter": ",", "into": ["all"], "keep_original": False}, df)
    assert_frame_equal(out, df.rename(columns={"주소": "all"}))


def test_drop_original_and_reuse_its_name(df):
    out = run(
        {"column": "주소", "delimiter": ",", "into": ["주소", "rest"], "keep_original": False}, df
    )
    pieces = df["주소"].str.split(",", n=1, expand=True, regex=False)
    expected = pd.DataFrame({"id": df["id"], "주소": pieces[0], "rest": pieces[1], "z": df["z"]})
    assert_frame_equal(out, expected)


def test_pattern_splits_by_regex():
    df = pd.DataFrame({"s": ["a1b22c", "x"]})
    out = run({"column": "s", "pattern": r"\d+", "into": ["p", "q", "r"]}, df)
    pieces = df["s"].str.split(r"\d+", n=2, expand=True, regex=True)
    assert_frame_equal(out, df.assign(p=pieces[0], q=pieces[1], r=pieces[2]))


def test_delimiter_is_plain_text_not_regex():
    df = pd.DataFrame({"s": ["a.b", "c"]})
    out = run({"column": "s", "delimiter": ".", "into": ["x", "y"]}, df)
    assert out["x"].tolist() == ["a", "c"]


def test_numbers_are_split_by_their_text_form():
    df = pd.DataFrame({"n": [1.5, None]})
    out = run({"column": "n", "delimiter": ".", "into": ["int", "frac"]}, df)
    assert out["int"].iloc[0] == "1" and out["frac"].iloc[0] == "5"
    assert out[["int", "frac"]].iloc[1].isna().all()


def test_to_rows_equals_explode(df):
    out = run({"column": "주소", "delimiter": ",", "to_rows": True}, df)
    expected = df.assign(주소=df["주소"].str.split(",", regex=False)).explode("주소")
    assert_frame_equal(out, expected)
    assert list(out.index) == [0, 0, 0, 1, 2, 3]


def test_to_rows_with_pattern():
    df = pd.DataFrame({"tags": ["a; b;c"]})
    out = run({"column": "tags", "pattern": r";\s*", "to_rows": True}, df)
    assert out["tags"].tolist() == ["a", "b", "c"]


def test_empty_table():
    df = pd.DataFrame({"s": pd.Series([], dtype="str")})
    out = run({"column": "s", "delimiter": ",", "into": ["a", "b"]}, df)
    assert list(out.columns) == ["s", "a", "b"] and out.empty
    assert_frame_equal(run({"column": "s", "delimiter": ",", "to_rows": True}, df), df)


def test_new_name_clashes_with_an_existing_column(df):
    with pytest.raises(NodeError, match=r"^into: column 'z' already exists"):
        run({"column": "주소", "delimiter": ",", "into": ["a", "z"]}, df)
    with pytest.raises(NodeError, match=r"^into: column '주소' already exists"):
        run({"column": "주소", "delimiter": ",", "into": ["주소", "b"]}, df)


def test_missing_column(df):
    with pytest.raises(NodeError, match=r"^column: column 'addr' not found"):
        run({"column": "addr", "delimiter": ",", "into": ["a"]}, df)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"into": ["a"]}, "delimiter: give either delimiter or pattern"),
        ({"delimiter": ",", "pattern": ",", "into": ["a"]}, "delimiter: give either"),
        ({"delimiter": ","}, "into: give either into (new column names) or to_rows"),
        ({"delimiter": ",", "into": ["a"], "to_rows": True}, "into: give either"),
        ({"delimiter": ",", "into": ["a", "a"]}, "into: 'a' is empty or named twice"),
        ({"delimiter": ",", "into": []}, "into: List should have at least 1 item"),
        ({"delimiter": "", "into": ["a"]}, "delimiter: String should have at least 1 character"),
        ({"pattern": "([a-", "into": ["a"]}, "pattern: invalid regular expression '([a-'"),
    ],
)
def test_bad_config(config, message):
    with pytest.raises(ConfigError) as err:
        SplitColumn("s", {"column": "s", **config})
    assert err.value.message.startswith(message)

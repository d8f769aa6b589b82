import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import ConfigError, NodeError
from nodes.transforms.rename_columns import RenameColumns


def run(config, df):
    before = df.copy()
    out = RenameColumns("r", config).invoke({"in": df})["out"]
    assert_frame_equal(df, before)
    return out


@pytest.fixture
def df():
    return pd.DataFrame({"a": [1, 2], "b": ["x", None], "c": [0.5, 1.5]})


def test_rename_keeps_order_and_values(df):
    out = run({"mapping": {"b": "이름", "a": "A"}}, df)
    assert_frame_equal(out, df.rename(columns={"b": "이름", "a": "A"}))
    assert list(out.columns) == ["A", "이름", "c"]


def test_swap_two_names(df):
    assert_frame_equal(
        run({"mapping": {"a": "b", "b": "a"}}, df), df.rename(columns={"a": "b", "b": "a"})
    )


def test_empty_mapping_and_empty_table(df):
    assert_frame_equal(run({"mapping": {}}, df), df)
    empty = df.iloc[0:0]
    assert_frame_equal(run({"mapping": {"a": "z"}}, empty), empty.rename(columns={"a": "z"}))


def test_unknown_old_name(df):
    with pytest.raises(NodeError, match=r"^mapping: column 'd' not found \(available: a, b, c\)"):
        run({"mapping": {"d": "e"}}, df)


def test_rename_onto_an_existing_column(df):
    with pytest.raises(
        NodeError, match=r"^mapping: renaming 'a' to 'c' gives two columns named 'c'"
    ):
        run({"mapping": {"a": "c"}}, df)


def test_rename_of_a_repeated_column_label():
    df = pd.DataFrame([[1, 2, 3]], columns=["a", "a", "k"])
    with pytest.raises(
        NodeError, match=r"^mapping: renaming 'a' to 'b' gives two columns named 'b'"
    ):
        run({"mapping": {"a": "b"}}, df)
    # a repeated label the mapping does not touch is left alone
    assert_frame_equal(run({"mapping": {"k": "key"}}, df), df.rename(columns={"k": "key"}))


def test_two_old_names_to_one_new_name_is_a_config_error():
    with pytest.raises(ConfigError, match=r"^mapping: several columns are renamed to 'x'"):
        RenameColumns("r", {"mapping": {"a": "x", "b": "x"}})


def test_empty_new_name_is_refused():
    with pytest.raises(ConfigError, match=r"^mapping\.a: String should have at least 1 character"):
        RenameColumns("r", {"mapping": {"a": ""}})

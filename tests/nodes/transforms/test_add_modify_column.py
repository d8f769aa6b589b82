"""add_modify_column against the assignment a pandas user would write."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import ConfigError, ExpressionError, NodeError
from nodes.base import NodeContext
from nodes.transforms.add_modify_column import AddModifyColumn


def run(column: str, expression: str, df: pd.DataFrame, **params) -> pd.DataFrame:
    node = AddModifyColumn("a", {"column": column, "expression": expression})
    return node.run({"in": df}, NodeContext(params=params))["out"]


@pytest.fixture
def items() -> pd.DataFrame:
    return pd.DataFrame({"price": [2.5, 4.0, None], "qty": [2, 3, 1], "name": ["Pen", None, "Ink"]})


def test_adds_a_computed_column(items):
    assert_frame_equal(
        run("total", "price * qty", items), items.assign(total=items.price * items.qty)
    )


def test_replaces_a_column_in_place(items):
    out = run("price", "coalesce(price, 0) * 2", items)
    assert_frame_equal(out, items.assign(price=items.price.fillna(0) * 2))
    assert list(out.columns) == ["price", "qty", "name"]


def test_scalar_results_are_broadcast(items):
    assert_frame_equal(run("country", "'KR'", items), items.assign(country="KR"))
    assert_frame_equal(run("k", "@rate * 2", items, rate=1.5), items.assign(k=3.0))


def test_empty_table(items):
    empty = items.iloc[:0]
    assert_frame_equal(
        run("total", "price * qty", empty), empty.assign(total=empty.price * empty.qty)
    )
    assert_frame_equal(run("one", "1", empty), empty.assign(one=1))


def test_nulls_in_text_and_numbers(items):
    out = run("label", "upper(name) + '!'", items)
    assert_frame_equal(out, items.assign(label=items.name.str.upper() + "!"))
    out = run("cheap", "price < 3", items)
    # A comparison with null is null (nullable boolean), as in SQL.
    expected = (items.price < 3).astype("boolean").mask(items.price.isna())
    assert_frame_equal(out, items.assign(cheap=expected))


def test_unicode_column_names():
    frame = pd.DataFrame({"금액": [100, 250], "단가 (원)": [10, 20]})
    out = run("합계", "금액 + `단가 (원)`", frame)
    assert_frame_equal(out, frame.assign(합계=frame["금액"] + frame["단가 (원)"]))


def test_mixed_type_column():
    frame = pd.DataFrame({"m": ["a", 1, None, 2.5]})
    out = run("t", "to_string(m)", frame)
    assert_frame_equal(out, frame.assign(t=frame.m.astype("str")))
    with pytest.raises(NodeError) as info:
        run("t", "m + 1", frame)
    assert info.value.message.startswith(
        "expression: cannot apply '+' to column 'm' (object) and 1 (int)"
    )


def test_duplicate_index_is_kept_row_for_row():
    frame = pd.DataFrame({"a": [1, 2, 3], "b": [10, 20, 30]}, index=[5, 5, 6])
    out = run("c", "a + b", frame)
    assert_frame_equal(out, frame.assign(c=frame.a + frame.b))
    assert out.c.tolist() == [11, 22, 33]


def test_conditional_values(items):
    out = run("size", "if_else(qty > 1, 'many', 'one')", items)
    assert_frame_equal(
        out, items.assign(size=np.where(items.qty > 1, "many", "one")).astype({"size": "str"})
    )


def test_input_frame_is_not_modified(items):
    before = items.copy()
    out = run("price", "price * 2", items)
    assert_frame_equal(items, before)
    assert out is not items


def test_bad_config_names_the_field():
    with pytest.raises(ExpressionError) as info:
        AddModifyColumn("a", {"column": "x", "expression": "open('f')"})
    assert info.value.field == "expression"
    assert info.value.message.startswith("expression: unknown function 'open' (allowed: abs,")
    with pytest.raises(ConfigError, match="column: String should have at least 1 character"):
        AddModifyColumn("a", {"column": "", "expression": "1"})


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("cost * 2", "expression: column 'cost' not found (available: price, qty, name)"),
        ("price * @rate", "expression: unknown parameter @rate"),
        ("lower(qty)", "expression: lower(): argument 1 must be text, got column 'qty' (int64)"),
    ],
)
def test_run_errors_name_the_field_and_column(items, expression, message):
    with pytest.raises(NodeError) as info:
        run("x", expression, items)
    assert info.value.message == message

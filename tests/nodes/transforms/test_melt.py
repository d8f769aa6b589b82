"""melt against DataFrame.melt."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import ConfigError, NodeError
from nodes.base import NodeContext
from nodes.transforms.melt import Melt


def run(config: dict, df: pd.DataFrame) -> pd.DataFrame:
    return Melt("m", config).run({"in": df}, NodeContext(node_id="m"))["out"]


@pytest.fixture
def wide() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "city": ["Seoul", "Busan", "Seoul"],
            "2023": [1.0, np.nan, 3.0],
            "2024": [4.0, 5.0, 6.0],
            "note": ["a", None, "c"],
        }
    )


def test_all_other_columns_by_default(wide: pd.DataFrame) -> None:
    out = run({"id_vars": "city"}, wide)
    assert_frame_equal(out, wide.melt(id_vars=["city"]))
    assert len(out) == 9  # duplicate ids and nulls are kept


def test_value_vars_and_names(wide: pd.DataFrame) -> None:
    out = run(
        {
            "id_vars": ["city"],
            "value_vars": ["2023", "2024"],
            "var_name": "연도",
            "value_name": "값",
        },
        wide,
    )
    expected = wide.melt(
        id_vars=["city"], value_vars=["2023", "2024"], var_name="연도", value_name="값"
    )
    assert_frame_equal(out, expected)
    assert out["연도"].tolist() == ["2023"] * 3 + ["2024"] * 3


def test_no_id_vars(wide: pd.DataFrame) -> None:
    out = run({"value_vars": "2024"}, wide)
    expected = pd.DataFrame({"variable": ["2024"] * 3, "value": [4.0, 5.0, 6.0]})
    assert_frame_equal(out, expected)


def test_mixed_types_go_to_one_column(wide: pd.DataFrame) -> None:
    out = run({"id_vars": "city", "value_vars": ["2024", "note"]}, wide)
    assert_frame_equal(out, wide.melt(id_vars="city", value_vars=["2024", "note"]))


def test_empty_table(wide: pd.DataFrame) -> None:
    empty = wide.iloc[0:0]
    out = run({"id_vars": "city"}, empty)
    assert_frame_equal(out, empty.melt(id_vars="city"))
    assert list(out.columns) == ["city", "variable", "value"]


def test_input_is_not_mutated(wide: pd.DataFrame) -> None:
    before = wide.copy()
    run({"id_vars": "city"}, wide)
    assert_frame_equal(wide, before)


def test_errors(wide: pd.DataFrame) -> None:
    with pytest.raises(NodeError, match=r"^id_vars: column 'town' not found"):
        run({"id_vars": "town"}, wide)
    with pytest.raises(NodeError, match=r"^value_vars: column '2025' not found"):
        run({"value_vars": ["2024", "2025"]}, wide)
    with pytest.raises(NodeError, match=r"^value_name: .*note"):
        run({"id_vars": "city", "value_name": "note"}, wide)
    with pytest.raises(ConfigError, match=r"^value_name: 'x' is also the var_name"):
        Melt("m", {"var_name": "x", "value_name": "x"})
    with pytest.raises(ConfigError, match=r"^id_vars: 'value' is also an output column"):
        Melt("m", {"id_vars": "value"})

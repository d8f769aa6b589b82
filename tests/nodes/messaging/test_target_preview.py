"""target_preview: rows pass through; stats agree with pandas."""

from __future__ import annotations

import pandas as pd
from pandas.testing import assert_frame_equal

from nodes.base import NodeContext
from nodes.messaging.target_preview import TargetPreview

TARGETS = pd.DataFrame(
    {
        "고객명": ["김민지", None, "Ann", "Bo"],
        "phone": ["010-1", "010-2", None, None],
        "points": [1.5, None, 3.0, 4.0],
        "tags": [["vip"], [], None, ["new"]],
    }
)


def _preview(df: pd.DataFrame, **config: object) -> dict[str, pd.DataFrame]:
    return TargetPreview("p", config).run({"in": df}, NodeContext())


def test_rows_pass_through_and_stats_match_pandas() -> None:
    out = _preview(TARGETS, sample_size=3)
    assert out["out"] is TARGETS
    head = TARGETS.head(3)
    expected = pd.DataFrame(
        {
            "column": list(TARGETS.columns),
            "dtype": [str(t) for t in TARGETS.dtypes],
            "count": [len(TARGETS)] * 4,
            "nulls": TARGETS.isna().sum().tolist(),
            "sample": [
                [None if not isinstance(v, list) and pd.isna(v) else v for v in head[c]]
                for c in TARGETS.columns
            ],
        }
    )
    assert_frame_equal(out["stats"], expected)
    assert out["stats"].loc[3, "sample"] == [["vip"], [], None]


def test_empty_table_and_zero_sample() -> None:
    out = _preview(TARGETS.iloc[:0], sample_size=0)
    assert out["stats"]["count"].tolist() == [0, 0, 0, 0]
    assert out["stats"]["sample"].tolist() == [[], [], [], []]
    none = _preview(pd.DataFrame())
    assert list(none["stats"].columns) == ["column", "dtype", "count", "nulls", "sample"]
    assert len(none["stats"]) == 0

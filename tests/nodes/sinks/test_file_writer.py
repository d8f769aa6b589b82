"""file_writer: every format round trips through file_input; paths stay in the data directory."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import ConfigError, NodeError
from nodes.base import NodeContext
from nodes.sinks.file_writer import FileWriter
from nodes.sources.file_input import FileInput


def write(tmp_path: Path, config: dict, df: pd.DataFrame) -> pd.DataFrame:
    return FileWriter("w", config).run({"in": df}, NodeContext(node_id="w", data_dir=tmp_path))[
        "out"
    ]


def read(tmp_path: Path, config: dict) -> pd.DataFrame:
    return FileInput("r", config).run({}, NodeContext(node_id="r", data_dir=tmp_path))["out"]


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [1, 2, 3],
            "이름": ["Ann", "Bö", None],
            "score": [1.5, np.nan, -2.25],
            "ok": [True, False, True],
        }
    )


@pytest.mark.parametrize(
    "path", ["t.csv", "t.tsv", "t.json", "t.jsonl", "t.parquet", "t.xlsx", "sub/dir/t.csv"]
)
def test_round_trip_every_format(tmp_path: Path, table: pd.DataFrame, path: str) -> None:
    summary = write(tmp_path, {"path": path}, table)
    assert_frame_equal(read(tmp_path, {"path": path}), table)
    expected_summary = pd.DataFrame(
        {
            "path": [path],
            "format": [summary.loc[0, "format"]],
            "rows": [3],
            "bytes": [(tmp_path / path).stat().st_size],
        }
    )
    assert_frame_equal(summary, expected_summary)
    assert (tmp_path / path).stat().st_size > 0


def test_parquet_keeps_richer_types(tmp_path: Path) -> None:
    df = pd.DataFrame(
        {
            "when": pd.to_datetime(["2024-01-01 10:00", None, "2024-03-01 00:00"]),
            "n": pd.array([1, None, 3], dtype="Int64"),
            "cat": pd.Categorical(["x", "y", "x"]),
        }
    )
    write(tmp_path, {"path": "rich.parquet"}, df)
    assert_frame_equal(read(tmp_path, {"path": "rich.parquet"}), df)
    assert_frame_equal(pd.read_parquet(tmp_path / "rich.parquet"), df)


def test_explicit_format_overrides_extension(tmp_path: Path, table: pd.DataFrame) -> None:
    summary = write(tmp_path, {"path": "data.txt", "format": "tsv"}, table)
    assert summary.loc[0, "format"] == "tsv"
    assert_frame_equal(pd.read_csv(tmp_path / "data.txt", sep="\t"), table)


def test_empty_table_round_trips_in_parquet(tmp_path: Path, table: pd.DataFrame) -> None:
    summary = write(tmp_path, {"path": "e.parquet"}, table.iloc[0:0])
    assert summary.loc[0, "rows"] == 0
    assert_frame_equal(read(tmp_path, {"path": "e.parquet"}), table.iloc[0:0])


def test_existing_file_is_refused_unless_overwrite(tmp_path: Path, table: pd.DataFrame) -> None:
    (tmp_path / "t.csv").write_text("old\n")
    with pytest.raises(NodeError, match=r"^overwrite: 't.csv' already exists"):
        write(tmp_path, {"path": "t.csv"}, table)
    assert (tmp_path / "t.csv").read_text() == "old\n"
    write(tmp_path, {"path": "t.csv", "overwrite": True}, table)
    assert_frame_equal(pd.read_csv(tmp_path / "t.csv"), table)


def test_failed_write_leaves_no_file_and_keeps_the_old_one(tmp_path: Path) -> None:
    # Excel cannot hold time-zone aware datetimes: the writer fails half way.
    bad = pd.DataFrame({"t": pd.to_datetime(["2024-01-01"]).tz_localize("UTC")})
    with pytest.raises(NodeError, match=r"^format: cannot write the table as excel"):
        write(tmp_path, {"path": "x.xlsx"}, bad)
    assert os.listdir(tmp_path) == []
    (tmp_path / "y.xlsx").write_bytes(b"previous")
    with pytest.raises(NodeError, match=r"^format: cannot write"):
        write(tmp_path, {"path": "y.xlsx", "overwrite": True}, bad)
    assert (tmp_path / "y.xlsx").read_bytes() == b"previous"
    assert sorted(os.listdir(tmp_path)) == ["y.xlsx"]


def test_written_file_is_readable_by_others(tmp_path: Path, table: pd.DataFrame) -> None:
    write(tmp_path, {"path": "t.csv"}, table)
    assert (tmp_path / "t.csv").stat().st_mode & 0o044 == 0o044


@pytest.mark.parametrize("path", ["../x.csv", "/etc/passwd", "/tmp/x.csv", "a/../../x.csv"])
def test_paths_outside_are_refused(tmp_path: Path, table: pd.DataFrame, path: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with pytest.raises(NodeError, match=r"^path: .*(outside the data directory|is absolute)"):
        write(data, {"path": path, "format": "csv", "overwrite": True}, table)
    assert not (tmp_path / "x.csv").exists()


def test_symlink_out_is_refused(tmp_path: Path, table: pd.DataFrame) -> None:
    data = tmp_path / "data"
    data.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (data / "out").symlink_to(outside, target_is_directory=True)
    (data / "victim.csv").symlink_to(tmp_path / "victim.csv")
    for path in ("out/x.csv", "victim.csv"):
        with pytest.raises(NodeError, match=r"outside the data directory"):
            write(data, {"path": path, "overwrite": True}, table)
    assert list(outside.iterdir()) == []
    assert not (tmp_path / "victim.csv").exists()


def test_directory_target_is_refused(tmp_path: Path, table: pd.DataFrame) -> None:
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(NodeError, match=r"^path: 'd.csv' is a directory"):
        write(tmp_path, {"path": "d.csv", "overwrite": True}, table)


def test_bad_config() -> None:
    with pytest.raises(ConfigError, match=r"^format: cannot tell the format of 'out.txt'"):
        FileWriter("w", {"path": "out.txt"})
    with pytest.raises(ConfigError, match=r"^format"):
        FileWriter("w", {"path": "out.csv", "format": "xml"})


def test_input_is_not_mutated(tmp_path: Path, table: pd.DataFrame) -> None:
    before = table.copy()
    write(tmp_path, {"path": "t.json"}, table)
    assert_frame_equal(table, before)


def test_file_in_place_of_a_folder_is_reported(tmp_path: Path, table: pd.DataFrame) -> None:
    (tmp_path / "a.csv").write_text("x\n")
    with pytest.raises(NodeError, match=r"^path: cannot create the folder of 'a.csv/b.csv'$"):
        write(tmp_path, {"path": "a.csv/b.csv"}, table)

"""file_input against the pandas readers a user would call on the same file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import ConfigError, NodeError
from nodes.base import NodeContext
from nodes.sources.file_input import FileInput


def read(data_dir: Path, config: dict, row_limit: int | None = None) -> pd.DataFrame:
    ctx = NodeContext(node_id="f", data_dir=data_dir, row_limit=row_limit)
    return FileInput("f", config).run({}, ctx)["out"]


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": list(range(1, 11)),
            "도시": ["서울", "부산", None, "대구", "Zürich"] * 2,
            "v": [0.5, None, 2.0, 3.0, 4.5] * 2,
        }
    )


def test_csv_with_delimiter_and_encoding(tmp_path: Path, table: pd.DataFrame) -> None:
    table = table.replace({"Zürich": "광주"})  # cp949 has Hangul but no ü
    table.to_csv(tmp_path / "k.csv", sep=";", encoding="cp949", index=False)
    out = read(tmp_path, {"path": "k.csv", "options": {"delimiter": ";", "encoding": "cp949"}})
    assert_frame_equal(out, pd.read_csv(tmp_path / "k.csv", sep=";", encoding="cp949"))
    assert_frame_equal(out, table)


def test_csv_without_header_gets_numbered_names(tmp_path: Path) -> None:
    (tmp_path / "raw.csv").write_text("1,a\n2,b\n")
    out = read(tmp_path, {"path": "raw.csv", "options": {"header": False}})
    expected = pd.read_csv(tmp_path / "raw.csv", header=None)
    expected.columns = ["column_1", "column_2"]
    assert_frame_equal(out, expected)
    picked = read(
        tmp_path, {"path": "raw.csv", "options": {"header": False, "columns": "column_2"}}
    )
    assert picked["column_2"].tolist() == ["a", "b"]


def test_columns_subset_in_requested_order(tmp_path: Path, table: pd.DataFrame) -> None:
    table.to_csv(tmp_path / "t.csv", index=False)
    table.to_parquet(tmp_path / "t.parquet", index=False)
    table.to_excel(tmp_path / "t.xlsx", index=False)
    table.to_json(tmp_path / "t.jsonl", orient="records", lines=True, force_ascii=False)
    for name in ("t.csv", "t.parquet", "t.xlsx", "t.jsonl"):
        out = read(tmp_path, {"path": name, "options": {"columns": ["v", "id"]}})
        assert_frame_equal(out, table[["v", "id"]], check_dtype=name != "t.xlsx")


def test_missing_subset_column_is_named(tmp_path: Path, table: pd.DataFrame) -> None:
    table.to_csv(tmp_path / "t.csv", index=False)
    table.to_parquet(tmp_path / "t.parquet", index=False)
    for name in ("t.csv", "t.parquet"):
        with pytest.raises(NodeError, match=r"^options\.columns: column 'nope' not found"):
            read(tmp_path, {"path": name, "options": {"columns": ["id", "nope"]}})


@pytest.mark.parametrize("name", ["t.csv", "t.tsv", "t.json", "t.jsonl", "t.parquet", "t.xlsx"])
@pytest.mark.parametrize("limit", [0, 3, 50])
def test_row_limit_reads_the_head(
    tmp_path: Path, table: pd.DataFrame, name: str, limit: int
) -> None:
    path = tmp_path / name
    if name.endswith(".csv"):
        table.to_csv(path, index=False)
    elif name.endswith(".tsv"):
        table.to_csv(path, sep="\t", index=False)
    elif name.endswith(".jsonl"):
        table.to_json(path, orient="records", lines=True, force_ascii=False)
    elif name.endswith(".json"):
        table.to_json(path, orient="records", force_ascii=False)
    elif name.endswith(".parquet"):
        table.to_parquet(path, index=False, row_group_size=4)  # several row groups
    else:
        table.to_excel(path, index=False)
    out = read(tmp_path, {"path": name}, row_limit=limit)
    assert_frame_equal(out, table.head(limit), check_dtype=limit > 0 or name.endswith("parquet"))


def test_parquet_preview_does_not_read_the_whole_file(
    tmp_path: Path, table: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    table.to_parquet(tmp_path / "t.parquet", index=False, row_group_size=2)

    def whole_file(*args: object, **kwargs: object) -> None:
        raise AssertionError("a preview must not read the whole file")

    monkeypatch.setattr(pd, "read_parquet", whole_file)
    out = read(tmp_path, {"path": "t.parquet", "options": {"columns": ["도시"]}}, row_limit=3)
    assert_frame_equal(out, table[["도시"]].head(3))


def test_json_columns_orientation(tmp_path: Path) -> None:
    (tmp_path / "c.json").write_text('{"a": {"0": 1, "1": 2}, "b": {"0": "x", "1": "y"}}')
    assert_frame_equal(read(tmp_path, {"path": "c.json"}), pd.read_json(tmp_path / "c.json"))


def test_excel_sheet_by_name_and_position(tmp_path: Path, table: pd.DataFrame) -> None:
    with pd.ExcelWriter(tmp_path / "book.xlsx") as writer:
        table.to_excel(writer, sheet_name="first", index=False)
        table.tail(2).to_excel(writer, sheet_name="둘째", index=False)
    second = read(tmp_path, {"path": "book.xlsx", "options": {"sheet": "둘째"}})
    assert_frame_equal(second, table.tail(2).reset_index(drop=True))
    assert_frame_equal(read(tmp_path, {"path": "book.xlsx", "options": {"sheet": 1}}), second)
    assert_frame_equal(read(tmp_path, {"path": "book.xlsx"}), table)
    with pytest.raises(NodeError, match=r"^path: cannot read 'book.xlsx' as excel: .*nope"):
        read(tmp_path, {"path": "book.xlsx", "options": {"sheet": "nope"}})


def test_empty_csv_is_an_empty_table(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("")
    assert read(tmp_path, {"path": "empty.csv"}).empty


def test_broken_file_is_reported_without_server_path(tmp_path: Path) -> None:
    (tmp_path / "bad.parquet").write_text("not parquet at all")
    with pytest.raises(NodeError, match=r"^path: cannot read 'bad.parquet' as parquet") as info:
        read(tmp_path, {"path": "bad.parquet"})
    assert str(tmp_path) not in str(info.value)
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(NodeError, match=r"^path: cannot read 'bad.json' as json"):
        read(tmp_path, {"path": "bad.json"})
    (tmp_path / "latin.csv").write_bytes("é\n\xff\n".encode("latin-1"))
    with pytest.raises(NodeError, match=r"^path: cannot read 'latin.csv' as csv"):
        read(tmp_path, {"path": "latin.csv"})


@pytest.mark.parametrize("path", ["../secret.csv", "/etc/passwd", "link.csv"])
def test_paths_outside_are_refused(tmp_path: Path, path: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (tmp_path / "secret.csv").write_text("password\nhunter2\n")
    (data / "link.csv").symlink_to(tmp_path / "secret.csv")
    with pytest.raises(NodeError, match=r"^path: .*(outside the data directory|is absolute)"):
        read(data, {"path": path, "format": "csv"})


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NodeError, match=r"^path: file 'no.csv' not found in the data directory"):
        read(tmp_path, {"path": "no.csv"})


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"path": "x.parquet", "options": {"delimiter": ";"}},
            r"^options\.delimiter: does not apply to parquet",
        ),
        ({"path": "x.csv", "options": {"sheet": "a"}}, r"^options\.sheet: does not apply to csv"),
        (
            {"path": "x.json", "options": {"header": False}},
            r"^options\.header: does not apply to json",
        ),
        ({"path": "x.dat"}, r"^format: cannot tell the format of 'x.dat'"),
        ({"path": "x.csv", "options": {"delimter": ";"}}, r"^options\.delimter"),
    ],
)
def test_bad_config(config: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        FileInput("f", config)

"""The data-directory gate and the format table."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.errors import ConfigError, NodeError
from nodes.files import format_for_path, resolve_data_path


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    (data / "sub" / "a.csv").write_text("x\n1\n")
    (tmp_path / "secret.csv").write_text("password\nhunter2\n")
    return data


def test_relative_paths_resolve_inside(data_dir: Path) -> None:
    assert (
        resolve_data_path(data_dir, "sub/a.csv", must_exist=True)
        == data_dir.resolve() / "sub" / "a.csv"
    )
    assert resolve_data_path(data_dir, "new/dir/b.csv", must_exist=False) == (
        data_dir.resolve() / "new" / "dir" / "b.csv"
    )
    # ".." that stays inside the directory is harmless.
    assert resolve_data_path(data_dir, "sub/../sub/a.csv", must_exist=True).name == "a.csv"


@pytest.mark.parametrize("path", ["../secret.csv", "sub/../../secret.csv", "../data2/x.csv"])
def test_dotdot_escape_is_refused(data_dir: Path, path: str) -> None:
    with pytest.raises(NodeError, match=rf"^path: '{path}' is outside the data directory"):
        resolve_data_path(data_dir, path, must_exist=False)


@pytest.mark.parametrize(
    "path", ["/etc/passwd", "C:\\Windows\\win.ini", "\\\\host\\share\\x.csv", "c:x.csv"]
)
def test_absolute_paths_are_refused(data_dir: Path, path: str) -> None:
    with pytest.raises(NodeError, match=r"^path: .* is absolute"):
        resolve_data_path(data_dir, path, must_exist=False)


def test_symlink_out_of_the_data_dir_is_refused(data_dir: Path, tmp_path: Path) -> None:
    (data_dir / "link.csv").symlink_to(tmp_path / "secret.csv")
    (data_dir / "outdir").symlink_to(tmp_path, target_is_directory=True)
    (data_dir / "dangling.csv").symlink_to(tmp_path / "not-yet.csv")
    for path in ("link.csv", "outdir/secret.csv", "outdir/new.csv", "dangling.csv"):
        with pytest.raises(NodeError, match=r"is outside the data directory"):
            resolve_data_path(data_dir, path, must_exist=False)


def test_symlink_inside_the_data_dir_is_followed(data_dir: Path) -> None:
    (data_dir / "alias.csv").symlink_to(data_dir / "sub" / "a.csv")
    assert resolve_data_path(data_dir, "alias.csv", must_exist=True) == (
        data_dir.resolve() / "sub" / "a.csv"
    )


def test_missing_files_directories_and_empty_paths(data_dir: Path) -> None:
    with pytest.raises(NodeError, match=r"^path: file 'nope.csv' not found in the data directory$"):
        resolve_data_path(data_dir, "nope.csv", must_exist=True)
    with pytest.raises(NodeError, match=r"^path: 'sub' is not a file"):
        resolve_data_path(data_dir, "sub", must_exist=True)
    with pytest.raises(NodeError, match=r"^path: a path is required"):
        resolve_data_path(data_dir, " ", must_exist=False)
    with pytest.raises(NodeError, match=r"^path: '\.' is the data directory itself"):
        resolve_data_path(data_dir, ".", must_exist=False)
    with pytest.raises(NodeError, match=r"NUL character"):
        resolve_data_path(data_dir, "a\x00.csv", must_exist=False)


def test_messages_do_not_reveal_the_server_directory(data_dir: Path) -> None:
    with pytest.raises(NodeError) as info:
        resolve_data_path(data_dir, "../secret.csv", must_exist=True)
    assert str(data_dir.parent) not in str(info.value)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("a.csv", "csv"),
        ("dir/A.TSV", "tsv"),
        ("x.json", "json"),
        ("x.jsonl", "jsonl"),
        ("x.ndjson", "jsonl"),
        ("x.parquet", "parquet"),
        ("x.xlsx", "excel"),
    ],
)
def test_format_from_extension(path: str, expected: str) -> None:
    assert format_for_path(path) == expected


def test_explicit_format_wins_and_unknown_extension_is_config_error() -> None:
    assert format_for_path("data.txt", "tsv") == "tsv"
    with pytest.raises(ConfigError, match=r"^format: cannot tell the format of 'data.txt'"):
        format_for_path("data.txt")
    with pytest.raises(ConfigError, match=r"'\(none\)'"):
        format_for_path("README")

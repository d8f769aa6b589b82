"""Paths inside the data directory, and the file formats that file nodes read and write.

Every path a flow names is relative to the server's data directory. ``resolve_data_path`` is the
one gate: it refuses absolute paths and anything that resolves outside the directory, whether by
``..`` or through a symlink, so a flow can never read ``/etc/passwd`` or write over server files.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     resolve_data_path(Path(tmp), "reports/q1.csv", must_exist=False).name
...     resolve_data_path(Path(tmp), "../x.csv", must_exist=False)
Traceback (most recent call last):
...
flows.errors.NodeError: path: '../x.csv' is outside the data directory
>>> format_for_path("sales.jsonl"), format_for_path("book.xlsx", "csv")
('jsonl', 'csv')
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Literal

from flows.errors import ConfigError, NodeError

__all__ = ["EXTENSIONS", "FORMATS", "FileFormat", "format_for_path", "resolve_data_path"]

FileFormat = Literal["csv", "tsv", "json", "jsonl", "parquet", "excel"]
FORMATS: tuple[str, ...] = ("csv", "tsv", "json", "jsonl", "parquet", "excel")

# Extension (lower case, with the dot) -> format. Several spellings are common in the wild.
EXTENSIONS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
}


def resolve_data_path(data_dir: Path, path: str, *, must_exist: bool, field: str = "path") -> Path:
    """The absolute, symlink-free path of ``path`` inside ``data_dir``.

    Raises ``NodeError("path: ...")`` for an empty or absolute path, a path that leaves the data
    directory (``..`` or a symlink pointing outside), and, with ``must_exist``, a missing file.
    Messages name the path as the flow wrote it, never the server's directory.
    """
    if not path or not path.strip():
        raise NodeError(f"{field}: a path is required")
    if "\x00" in path:
        raise NodeError(f"{field}: {path!r} contains a NUL character")
    # Check both flavours so "C:\\x" or "\\\\host\\share" are refused on any server OS.
    if (
        PurePosixPath(path).is_absolute()
        or PureWindowsPath(path).is_absolute()
        or (PureWindowsPath(path).drive)
    ):
        raise NodeError(f"{field}: {path!r} is absolute; give a path inside the data directory")
    base = Path(data_dir).resolve()
    # resolve() follows every symlink that exists, so a link out of the directory is caught here.
    target = (base / path).resolve()
    if not target.is_relative_to(base):
        raise NodeError(f"{field}: {path!r} is outside the data directory")
    if target == base:
        raise NodeError(f"{field}: {path!r} is the data directory itself, not a file")
    if must_exist:
        if not target.exists():
            raise NodeError(f"{field}: file {path!r} not found in the data directory")
        if not target.is_file():
            raise NodeError(f"{field}: {path!r} is not a file")
    return target


def format_for_path(path: str, fmt: str | None = None, *, field: str = "format") -> str:
    """The explicit ``fmt`` if given, else the format that the extension of ``path`` names.

    Raises ``ConfigError`` (the path and format are config, known before any run).
    """
    if fmt:
        return fmt
    suffix = PurePosixPath(path.replace("\\", "/")).suffix.lower()
    try:
        return EXTENSIONS[suffix]
    except KeyError:
        known = ", ".join(FORMATS)
        raise ConfigError(
            f"{field}: cannot tell the format of {path!r} from its extension "
            f"{suffix or '(none)'!r}; set format to one of {known}",
            field=field,
        ) from None

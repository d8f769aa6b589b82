"""file_writer: write a table to a file in the data directory, atomically."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
from pydantic import Field

from flows.errors import NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext
from nodes.files import FileFormat, format_for_path, resolve_data_path
from nodes.tables import single_table

# What writers raise for a table the format cannot hold (e.g. tz-aware datetimes in excel).
_WRITE_ERRORS = (ValueError, TypeError, OSError, pa.ArrowException)


class FileWriterConfig(NodeConfig):
    path: str = Field(description="File path inside the data directory.")
    format: FileFormat | None = Field(default=None, description="Default: from the extension.")
    overwrite: bool = Field(default=False, description="Replace the file if it exists.")


def write_table(df: pd.DataFrame, path: Path, fmt: str) -> None:
    """Write ``df`` to ``path`` in ``fmt``, without the index, as ``file_input`` reads it back."""
    if fmt in ("csv", "tsv"):
        df.to_csv(path, sep="\t" if fmt == "tsv" else ",", index=False)
    elif fmt == "json":
        df.to_json(path, orient="records", date_format="iso", force_ascii=False)
    elif fmt == "jsonl":
        df.to_json(path, orient="records", lines=True, date_format="iso", force_ascii=False)
    elif fmt == "parquet":
        df.to_parquet(path, engine="pyarrow", index=False)
    elif fmt == "excel":
        df.to_excel(path, index=False, engine="openpyxl")
    else:  # pragma: no cover - the config model only admits the formats above
        raise NodeError(f"format: unknown format {fmt!r}")


class FileWriter(MaxDPNode):
    """Writes its input table to a file in the data directory and emits a one-row summary.

    The format comes from `format` or the extension. The file is written to a temporary file in
    the same directory and moved into place, so readers never see half a file and a failure
    leaves nothing behind. An existing file is kept unless `overwrite` is true. Missing parent
    directories (inside the data directory) are created.

    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     node = FileWriter("w", {"path": "out/cities.csv"})
    ...     table = pd.DataFrame({"city": ["Seoul"]})
    ...     node.run({"in": table}, NodeContext(data_dir=Path(tmp)))["out"]
                   path format  rows  bytes
    0  out/cities.csv    csv     1     11
    """

    type = "file_writer"
    category = "Sinks"
    title = "File writer"
    Config = FileWriterConfig
    # Writing a file blocks whatever the input size: keep it off the event loop.
    always_offload = True

    def setup(self) -> None:
        self.format = format_for_path(self.config.path, self.config.format)

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = single_table(inputs)
        cfg = self.config
        target = resolve_data_path(ctx.data_dir, cfg.path, must_exist=False)
        if target.is_dir():
            raise NodeError(f"path: {cfg.path!r} is a directory")
        if target.exists() and not cfg.overwrite:
            raise NodeError(f"overwrite: {cfg.path!r} already exists; set overwrite to replace it")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            # e.g. a file where a folder of the path should be; say so without server paths.
            raise NodeError(f"path: cannot create the folder of {cfg.path!r}") from None
        self._write_atomically(df, target)
        relative = target.relative_to(Path(ctx.data_dir).resolve()).as_posix()
        summary = pd.DataFrame(
            {
                "path": [relative],
                "format": [self.format],
                "rows": [len(df)],
                "bytes": [target.stat().st_size],
            }
        )
        return {"out": summary}

    def _write_atomically(self, df: pd.DataFrame, target: Path) -> None:
        # Same directory as the target, so os.replace is a rename on one filesystem; the real
        # extension last, so writers that look at it (excel) pick the right format.
        try:
            fd, tmp_name = tempfile.mkstemp(
                dir=target.parent, prefix=f".{target.name}.", suffix=f".tmp{target.suffix}"
            )
        except OSError as exc:
            raise NodeError(f"path: cannot write {self.config.path!r}: {exc.strerror}") from None
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            try:
                write_table(df, tmp, self.format)
            except _WRITE_ERRORS as exc:
                detail = str(exc).replace(str(tmp), self.config.path)
                raise NodeError(
                    f"format: cannot write the table as {self.format}: {detail}"
                ) from None
            # mkstemp makes the file private (0600); a written data file should be readable.
            tmp.chmod(0o644)
            self._move_into_place(tmp, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()

    def _move_into_place(self, tmp: Path, target: Path) -> None:
        if self.config.overwrite:
            os.replace(tmp, target)
            return
        # A hard link fails if the target appeared since the check: no silent overwrite in a race.
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise NodeError(
                f"overwrite: {self.config.path!r} already exists; set overwrite to replace it"
            ) from None
        except OSError:
            # Filesystems without hard links: the existence check above is the best we can do.
            os.replace(tmp, target)

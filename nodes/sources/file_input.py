"""file_input: read a csv, tsv, json, jsonl, parquet or excel file from the data directory."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import Field

from flows.errors import ConfigError, NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext, Port
from nodes.fields import Columns
from nodes.files import FileFormat, format_for_path, resolve_data_path
from nodes.tables import require_columns

# What readers raise for a file they cannot parse: the user's problem, not a bug.
# (ParserError, EmptyDataError, UnicodeDecodeError and ArrowInvalid are ValueErrors.)
_READ_ERRORS = (ValueError, OSError, LookupError, zipfile.BadZipFile, pa.ArrowException)

# Which options mean something for which format; setting one elsewhere is a config mistake.
_OPTION_FORMATS: dict[str, tuple[str, ...]] = {
    "delimiter": ("csv", "tsv"),
    "encoding": ("csv", "tsv", "json", "jsonl"),
    "header": ("csv", "tsv", "excel"),
    "sheet": ("excel",),
}


class FileInputOptions(NodeConfig):
    delimiter: str | None = Field(
        default=None, description="Field separator (csv: ',' by default, tsv: tab)."
    )
    encoding: str | None = Field(default=None, description="Text encoding; default utf-8.")
    header: bool = Field(
        default=True,
        description="The first row holds the column names; when false the columns are named "
        "column_1, column_2, …",
    )
    sheet: str | int | None = Field(
        default=None, description="Excel sheet name or 0-based position; default the first."
    )
    columns: Columns = Field(
        default_factory=list, description="Read only these columns, in this order."
    )


class FileInputConfig(NodeConfig):
    path: str = Field(description="File path inside the data directory.")
    format: FileFormat | None = Field(default=None, description="Default: from the extension.")
    options: FileInputOptions = Field(default_factory=FileInputOptions)


class FileInput(MaxDPNode):
    """Reads one file of the data directory as a table.

    Formats: csv, tsv, json (records or columns), jsonl, parquet (pyarrow) and excel (openpyxl),
    chosen by `format` or the file extension. Paths outside the data directory are refused.
    In previews only the first `row_limit` rows are read where the format allows it.

    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "cities.csv").write_text("city,n\\nSeoul,3\\nBusan,1\\n")
    ...     FileInput("f", {"path": "cities.csv"}).run({}, NodeContext(data_dir=Path(tmp)))["out"]
        city  n
    0  Seoul  3
    1  Busan  1
    """

    type = "file_input"
    category = "Sources"
    title = "File input"
    inputs: ClassVar[tuple[Port, ...]] = ()
    Config = FileInputConfig
    # Reading a file blocks whatever the input size: keep it off the event loop.
    always_offload = True

    def setup(self) -> None:
        cfg = self.config
        self.format = format_for_path(cfg.path, cfg.format)
        for name in cfg.options.model_fields_set & _OPTION_FORMATS.keys():
            if self.format not in _OPTION_FORMATS[name]:
                raise ConfigError(
                    f"options.{name}: does not apply to {self.format} files",
                    field=f"options.{name}",
                )

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        cfg = self.config
        target = resolve_data_path(ctx.data_dir, cfg.path, must_exist=True)
        limit = ctx.row_limit
        try:
            df = self._read(target, limit)
        except pd.errors.EmptyDataError:
            # A zero-byte csv is an empty table, not a broken file.
            df = pd.DataFrame()
        except _READ_ERRORS as exc:
            # Reader messages may carry the server's absolute path: show the flow's path instead.
            detail = str(exc).replace(str(target), cfg.path)
            for base in {str(ctx.data_dir), str(Path(ctx.data_dir).resolve())}:
                detail = detail.replace(base, "")
            raise NodeError(f"path: cannot read {cfg.path!r} as {self.format}: {detail}") from None
        if not cfg.options.header:
            df.columns = [f"column_{i + 1}" for i in range(df.shape[1])]
        wanted = cfg.options.columns
        if wanted:
            require_columns(df, wanted, field="options.columns")
            df = df[wanted]
        return {"out": df.head(limit) if limit is not None else df}

    def _read(self, target: Path, limit: int | None) -> pd.DataFrame:
        opts = self.config.options
        fmt = self.format
        # Skipping unwanted columns while parsing saves memory; missing ones are reported after.
        wanted = set(opts.columns)
        usecols = (lambda c: c in wanted) if wanted and opts.header else None
        if fmt in ("csv", "tsv"):
            sep = opts.delimiter or ("\t" if fmt == "tsv" else ",")
            return pd.read_csv(
                target,
                sep=sep,
                encoding=opts.encoding,
                header=0 if opts.header else None,
                usecols=usecols,
                nrows=limit,
            )
        if fmt == "jsonl":
            # One line at least, even for a 0-row preview: the first record names the columns.
            nrows = max(limit, 1) if limit is not None else None
            return pd.read_json(target, lines=True, encoding=opts.encoding, nrows=nrows)
        if fmt == "json":
            return pd.read_json(target, encoding=opts.encoding)
        if fmt == "excel":
            return pd.read_excel(
                target,
                sheet_name=opts.sheet if opts.sheet is not None else 0,
                header=0 if opts.header else None,
                usecols=usecols,
                nrows=limit,
                engine="openpyxl",
            )
        return self._read_parquet(target, limit)

    def _read_parquet(self, target: Path, limit: int | None) -> pd.DataFrame:
        columns = self.config.options.columns or None
        if columns:
            names = pq.read_schema(target).names
            require_columns(pd.DataFrame(columns=names), columns, field="options.columns")
        if limit is None:
            return pd.read_parquet(target, columns=columns, engine="pyarrow")
        # Read whole batches until the preview has enough rows, never the full file.
        parquet = pq.ParquetFile(target)
        batches: list[pa.RecordBatch] = []
        rows = 0
        if limit > 0:
            for batch in parquet.iter_batches(batch_size=limit, columns=columns):
                batches.append(batch)
                rows += batch.num_rows
                if rows >= limit:
                    break
        if batches:
            table = pa.Table.from_batches(batches)
        else:
            table = parquet.schema_arrow.empty_table()
            table = table.select(columns) if columns else table
        return table.slice(0, limit).to_pandas()

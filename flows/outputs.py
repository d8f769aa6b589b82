"""Write a flow output to a file by its extension (csv, tsv, json, jsonl, parquet)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from flows.errors import MaxDPError

__all__ = ["write_table"]


def write_table(df: pd.DataFrame, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        df.to_csv(path, index=False)
    elif suffix == ".tsv":
        df.to_csv(path, index=False, sep="\t")
    elif suffix == ".json":
        df.to_json(path, orient="records", date_format="iso", indent=2)
    elif suffix == ".jsonl":
        df.to_json(path, orient="records", date_format="iso", lines=True)
    elif suffix == ".parquet":
        df.to_parquet(path, index=False)
    else:
        raise MaxDPError(
            f"{path}: unknown output format {suffix!r} (csv, tsv, json, jsonl, parquet)"
        )

"""Engine overhead on a 6-node pipeline against the same steps hand-written in pandas.

file_input (parquet) -> filter_rows -> add_modify_column -> group_aggregate -> join_merge
(with a small static lookup) -> sort_data, on 1e6 and 1e7 rows. Each measurement runs in a fresh
subprocess; wall time is the median of the repeats, peak memory is the growth of the peak RSS
over the process's state after imports (VmHWM reset through /proc/self/clear_refs).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

REGIONS = ["KR", "US", "JP", "DE", "FR", "BR", "IN", "CN"]
LOOKUP = [
    {"region": r, "continent": c}
    for r, c in zip(
        REGIONS,
        ["Asia", "America", "Asia", "Europe", "Europe", "America", "Asia", "Asia"],
        strict=True,
    )
]


def make_data(path: Path, rows: int) -> None:
    rng = np.random.default_rng(7)
    df = pd.DataFrame(
        {
            "region": pd.Categorical.from_codes(rng.integers(0, 8, rows), REGIONS).astype(str),
            "category": np.char.add("c", rng.integers(0, 50, rows).astype(str)),
            "status": np.where(rng.random(rows) < 0.7, "paid", "open"),
            "amount": rng.gamma(2.0, 50.0, rows).round(2),
            "discount": rng.choice([0.0, 0.05, 0.1, 0.2], rows),
        }
    )
    df.to_parquet(path, index=False)


def flow_document(file_name: str) -> dict:
    return {
        "name": "bench-pipeline",
        "nodes": [
            {"id": "src", "type": "file_input", "config": {"path": file_name}},
            {
                "id": "paid",
                "type": "filter_rows",
                "config": {"condition": "status == 'paid' and amount > 20"},
            },
            {
                "id": "net",
                "type": "add_modify_column",
                "config": {"column": "net", "expression": "amount * (1 - discount)"},
            },
            {
                "id": "agg",
                "type": "group_aggregate",
                "config": {
                    "group_by": ["region", "category"],
                    "aggregations": [
                        {"column": "net", "function": "sum", "as": "net_sum"},
                        {"column": "net", "function": "count", "as": "orders"},
                        {"column": "amount", "function": "mean", "as": "avg_amount"},
                    ],
                },
            },
            {"id": "lookup", "type": "static_data", "config": {"rows": LOOKUP}},
            {"id": "join", "type": "join_merge", "config": {"how": "left", "on": ["region"]}},
            {
                "id": "sorted",
                "type": "sort_data",
                "config": {"by": [{"column": "net_sum", "ascending": False}]},
            },
            {"id": "out", "type": "display_results", "config": {}},
        ],
        "edges": [
            {"source": "src", "target": "paid"},
            {"source": "paid", "target": "net", "source_port": "out"},
            {"source": "net", "target": "agg"},
            {"source": "agg", "target": "join", "target_port": "left"},
            {"source": "lookup", "target": "join", "target_port": "right"},
            {"source": "join", "target": "sorted"},
            {"source": "sorted", "target": "out"},
        ],
    }


# Runs inside the child process: argv = mode, data_dir, file_name, repeats.
CHILD = r"""
import json, sys, time, asyncio
from pathlib import Path
import pandas as pd
mode, data_dir, file_name, repeats = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
sys.path.insert(0, sys.argv[5])
from bench.engine_overhead import LOOKUP, flow_document
from flows.executor import FlowExecutor

def hwm_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1])

def pandas_pipeline():
    df = pd.read_parquet(data_dir / file_name)
    df = df[(df["status"] == "paid") & (df["amount"] > 20)]
    df = df.assign(net=df["amount"] * (1 - df["discount"]))
    groups = df.groupby(["region", "category"], dropna=False, sort=True, observed=True)
    agg = groups.agg(net_sum=("net", "sum"), orders=("net", "count"),
                     avg_amount=("amount", "mean")).reset_index()
    joined = agg.merge(pd.DataFrame.from_records(LOOKUP), how="left", on=["region"],
                       suffixes=("_left", "_right"))
    return joined.sort_values(by=["net_sum"], ascending=[False], kind="stable")

if mode == "engine":
    ex = FlowExecutor(flow_document(file_name), data_dir=data_dir)
    run = lambda: asyncio.run(ex.run()).outputs["out"]
else:
    run = pandas_pipeline
times, peaks = [], []
base = hwm_kb()
for _ in range(repeats):
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    rss0 = int(open("/proc/self/statm").read().split()[1]) * 4
    t0 = time.perf_counter()
    result = run()
    times.append(time.perf_counter() - t0)
    peaks.append(hwm_kb() - rss0)
    rows = len(result)
    del result
print(json.dumps({"times": times, "peak_kb": peaks, "rows": rows}))
"""


def _measure(mode: str, data_dir: Path, file_name: str, repeats: int) -> dict:
    root = str(Path(__file__).resolve().parent.parent)
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(data_dir), file_name, str(repeats), root],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(sizes: tuple[int, ...] = (1_000_000, 10_000_000), repeats: int = 3) -> list[dict]:
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        for rows in sizes:
            name = f"orders_{rows}.parquet"
            make_data(data_dir / name, rows)
            base = _measure("pandas", data_dir, name, repeats)
            eng = _measure("engine", data_dir, name, repeats)
            assert base["rows"] == eng["rows"], "engine and pandas disagree on the result size"
            b_t, e_t = (
                sorted(base["times"])[len(base["times"]) // 2],
                sorted(eng["times"])[len(eng["times"]) // 2],
            )
            b_m, e_m = max(base["peak_kb"]), max(eng["peak_kb"])
            row = {
                "rows": rows,
                "pandas_s": b_t,
                "engine_s": e_t,
                "time_ratio": e_t / b_t,
                "pandas_peak_mb": b_m / 1024,
                "engine_peak_mb": e_m / 1024,
                "memory_ratio": e_m / b_m,
            }
            figures.append(row)
            print(
                f"{rows:>10,} rows: pandas {b_t:.3f}s / engine {e_t:.3f}s "
                f"= {row['time_ratio']:.3f}x time; peak {b_m / 1024:.0f} MB / "
                f"{e_m / 1024:.0f} MB = {row['memory_ratio']:.3f}x memory",
                flush=True,
            )
    return figures


if __name__ == "__main__":
    main()

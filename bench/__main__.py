"""`python -m bench [name ...]`: run the benchmarks (all by default) and print their figures."""

from __future__ import annotations

import importlib
import sys

BENCHES = {
    "engine": "bench.engine_overhead",
    "latency": "bench.small_flow_latency",
    "code": "bench.bench_code_nodes",
    "api": "bench.bench_api",
    "execute": "bench.bench_execute",
    "databases": "bench.bench_databases",
}


def main(argv: list[str]) -> None:
    names = argv or list(BENCHES)
    for name in names:
        module = importlib.import_module(BENCHES[name])
        print(f"== {name} ==", flush=True)
        module.main()


if __name__ == "__main__":
    main(sys.argv[1:])

"""The worker: ``python -m nodes.code.sandbox.worker --max-cpu-seconds S --max-memory-mb M``
(``--runs N``: how many runs it will serve; ``--shm-fd FD --shm-bytes N``: its shared region).

Started by ``SandboxPool`` as a fresh interpreter (never a fork of the server). First it sets
up its malloc (see ``heap``), maps the shared region it was passed (see ``shm``) and closes that
fd. Before it reads any user code it imports and warms pandas/numpy/pyarrow (so the limits do
not break lazy imports), then puts up its walls (see ``walls``: resource limits, no network, no
privileges, no fds beyond its pipes).

It then answers requests on stdin/stdout (see ``protocol``) one at a time, its tables in the
region when they fit, each run under that run's limits.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO

# Set before numpy/pyarrow load: one compute thread, the system allocator and one malloc arena
# keep the address space small and predictable under RLIMIT_AS.
for _key, _value in {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "ARROW_DEFAULT_MEMORY_POOL": "system",
    "MALLOC_ARENA_MAX": "1",
}.items():
    os.environ.setdefault(_key, _value)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402

from nodes.code.sandbox import execute, heap, plainframe, policy, protocol, shm  # noqa: E402
from nodes.code.sandbox.walls import Walls  # noqa: E402

_KEEP: list[Any] = []  # warm-up objects (time zones) kept alive so lookups never hit the disk


class _Sink:
    """Replaces sys.stdout/stderr: stray prints must never corrupt the protocol pipe."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


# pandas modules imported on first use (to_dict, select, stack …), loaded up front.
_LAZY_MODULES = (
    "pandas.core.methods.to_dict",
    "pandas.core.methods.select",
    "pandas.core.reshape.reshape",
    "pandas.core.arrays.arrow._arrow_utils",
    "pandas.core.arrays.arrow.extension_types",
)


def warm_up() -> None:
    """Exercise the common paths once, so every lazy import happens before the fd limit."""
    import importlib
    import zoneinfo

    for name in _LAZY_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    _KEEP.extend(zoneinfo.ZoneInfo(name) for name in sorted(zoneinfo.available_timezones()))
    script = """
import math, statistics, datetime, re, json, decimal
d = df.copy()
d['t'] = pd.to_datetime(d['day'], format='%Y-%m-%d')
d['y'] = d['t'].dt.year + d['t'].dt.tz_localize('UTC').dt.tz_convert('Asia/Seoul').dt.hour
d['u'] = d['name'].str.upper().str.contains('A', regex=True)
d['c'] = d['name'].astype('category').cat.codes
d['q'] = pd.cut(d['v'], 2, labels=False)
g = d.groupby('name').agg(total=('v', 'sum'), n=('v', 'count')).reset_index()
m = d.merge(g, on='name', how='left').sort_values('v').rolling(2).v.mean()
p = d.pivot_table(index='name', values='v', aggfunc='sum')
x = d.set_index('t').resample('D').v.sum()
s = repr(d) + repr(d['v']) + str(d.describe()) + repr(p) + repr(x) + str(m.head())
e = d['v'].apply(lambda v: v * 2).map({2: 'a'}).fillna('b').value_counts()
k = json.dumps({'a': statistics.mean([1, 2])}) + str(decimal.Decimal('1.1') + 1)
r = re.sub('a', 'b', 'aa') + datetime.date(2020, 1, 1).isoformat() + str(math.sqrt(2))
dd = pd.get_dummies(d['name']).astype(int)
result = pd.concat([d, dd], axis=1).drop(columns=['t']).melt(id_vars=['name'])
"""
    frame = pd.DataFrame(
        {"name": ["a", "b", "a"], "v": [1, 2, 3], "day": ["2020-01-01", "2020-01-02", "2020-01-03"]}
    )
    meta, blob = protocol.encode_table(frame)
    table = protocol.decode_table(meta, blob)
    result = execute.run({"kind": "script", "code": script, "names": ["w"]}, [table])
    protocol.decode_table(*protocol.encode_table(result))
    execute.run(
        {"kind": "apply", "code": "return value * 2", "options": {"column": "v", "target": "w"}},
        [table],
    )
    np.random.default_rng(0).normal(size=3).round(2).tolist()
    # C code imports these through the running frame's __import__ (see policy.guarded_import),
    # which only hands out modules that are already loaded.
    import datetime
    import locale  # noqa: F401

    datetime.datetime.strptime("2020", "%Y").strftime("%Y")


class _CpuTimer:
    exceeded = False

    @classmethod
    def fire(cls, signum: int, frame: Any) -> None:
        cls.exceeded = True
        # Fire again soon in case the code swallows this one; RLIMIT_CPU is the backstop.
        signal.setitimer(signal.ITIMER_PROF, 0.1)
        raise execute.CpuLimitExceeded


def _reader(stream: BinaryIO) -> Any:
    def read_exact(n: int) -> bytearray:
        # A bytearray, not bytes: a table decoded from it can be writable views of it.
        data = bytearray(n)
        if stream.readinto(data) != n:
            raise EOFError
        return data

    return read_exact


def _send(out: BinaryIO, header: dict[str, Any], tables: Sequence[Any] = ()) -> None:
    protocol.write_parts(protocol.pack(header, tables), out.write)
    out.flush()


def _open(
    meta: dict[str, Any], blob: Any, region: shm.Region | None, views: list[memoryview]
) -> tuple[Any, pa.Table]:
    """A request table's bytes and its stream, opened (Arrow reads only the headers)."""
    if blob is None:
        if region is None:
            raise protocol.TableError("a table is in shared memory, but this worker has none")
        offset, length = region.span(meta[protocol.SHARED], max_bytes=None)
        # In place: the region is this request's until the answer is sent (see ``shm``).
        blob = region.view(offset, length)
        views.append(blob)
    return blob, pa.ipc.open_stream(pa.py_buffer(blob)).read_all()


def _decode_inputs(
    header: dict[str, Any],
    blobs: list[Any],
    region: shm.Region | None,
    views: list[memoryview],
    wait_go: Callable[[], None] | None,
) -> list[pd.DataFrame]:
    """The request's tables. With ``go`` in the header, the server is still writing the values
    of the tables in the region: those whose decoding needs only their layout are decoded now,
    the others once ``wait_go`` returns (the server's go byte)."""
    go = header.get(protocol.GO) is True
    if go and wait_go is None:
        raise protocol.TableError("a request that needs a go byte, which cannot be read")
    try:
        opened = [
            (meta, *_open(meta, blob, region, views))
            for meta, blob in zip(header["tables"], blobs, strict=True)
        ]
        frames: list[pd.DataFrame | None] = [
            None
            if go and protocol.SHARED in meta and plainframe.reads_values(meta.get("plain"), table)
            else protocol.decode_table(meta, data, table=table)
            for meta, data, table in opened
        ]
    finally:
        if go:  # even after a failure: the byte must not be read as the next request
            assert wait_go is not None
            wait_go()
    return [
        protocol.decode_table(meta, data, table=table) if frame is None else frame
        for frame, (meta, data, table) in zip(frames, opened, strict=True)
    ]


def _go(read_exact: Callable[[int], Any]) -> Callable[[], None]:
    def wait() -> None:
        if bytes(read_exact(1)) != protocol.GO_BYTE:
            raise RuntimeError("expected the server's go byte")

    return wait


def _inputs_end(metas: list[Any]) -> int:
    """Where the region is free after this request's input tables."""
    spans = [meta[protocol.SHARED] for meta in metas if protocol.SHARED in meta]
    return max((offset + length for offset, length in spans), default=0)


def _place_result(
    meta: dict[str, Any],
    table: protocol.OutTable,
    region: shm.Region | None,
    start: int,
    kept: list[Any] | None = None,
) -> protocol.OutTable | None:
    """Write the result into the region from ``start`` when it fits (``None``: nothing for
    the pipe). Never over the inputs: the result may be a view of them.

    With ``kept`` (the server reads this process's memory, see ``remote``), its large buffers
    outside the region stay where they are: ``meta`` names them, ``kept`` holds them until
    the next request."""
    if region is None:
        return table
    (offset,) = region.place([table.size], start)
    if offset is None:
        return table
    holes: list[tuple[int, np.ndarray]] | None = [] if kept is not None else None
    region.write(table, offset, holes=holes)
    meta[protocol.SHARED] = [offset, table.size]
    if holes:
        assert kept is not None
        meta[protocol.REMOTE] = [[at, int(b.ctypes.data), b.nbytes] for at, b in holes]
        kept.extend(b for _, b in holes)
    return None


def _serve_one(
    header: dict[str, Any],
    blobs: list[Any],
    walls: Walls,
    region: shm.Region | None = None,
    wait_go: Callable[[], None] | None = None,
) -> tuple[dict, list, list]:
    """Run one request: ``(answer, tables for the pipe, buffers the server will read from
    this process)``. The answer asks for a new worker when a view of the region the run read
    its tables from outlives it."""
    views: list[memoryview] = []
    kept: list[Any] | None = [] if header.get(protocol.REMOTE) is True else None
    response, out_blobs = _answer(header, blobs, walls, region, views, kept, wait_go)
    if not response["ok"] and kept:
        kept.clear()
    if not shm.release_views(views):
        response["recycle"] = True
    return response, out_blobs, kept or []


def _answer(
    header: dict[str, Any],
    blobs: list[Any],
    walls: Walls,
    region: shm.Region | None,
    views: list[memoryview],
    kept: list[Any] | None = None,
    wait_go: Callable[[], None] | None = None,
) -> tuple[dict, list]:
    limits = header.get("limits", {})
    cpu, memory = float(limits.get("cpu_seconds", 5)), int(limits.get("memory_mb", 512))
    cpu_message = f"limit: CPU time exceeded {cpu:g} s"
    _CpuTimer.exceeded = False
    walls.enter_run(cpu, memory)
    try:
        try:
            tables = _decode_inputs(header, blobs, region, views, wait_go)
            del blobs[:]
            frame = execute.run(header, tables)
            del tables
            meta, blob = protocol.encode_table(frame)
            # Still under the run's limits: the result's size is the code's doing.
            blob = _place_result(meta, blob, region, _inputs_end(header["tables"]), kept)
            if blob is not None and views:
                blob.detach()  # it may view the inputs, which are released before it is sent
        finally:
            walls.leave_run()
    except execute.CpuLimitExceeded:
        return _failure(cpu_message, True)
    except execute.RunError as exc:
        return (
            _failure(cpu_message, True)
            if _CpuTimer.exceeded
            else _failure(exc.message, exc.recycle)
        )
    except MemoryError:
        return _failure(f"limit: memory exceeded {memory} MB", True)
    except (protocol.TableError, TypeError, ValueError) as exc:  # a result Arrow cannot carry
        return _failure(f"result: {exc}", False)
    except Exception as exc:  # a bug on our side: report it, and start afresh
        return _failure(f"sandbox: {type(exc).__name__}: {exc}", True)
    if _CpuTimer.exceeded:
        return _failure(cpu_message, True)
    printed = policy.run_state().printer()
    return {"ok": True, "tables": [meta], "printed": printed, "recycle": False}, [blob]


def _failure(message: str, recycle: bool) -> tuple[dict, list]:
    return {"ok": False, "error": message, "recycle": recycle, "tables": []}, []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nodes.code.sandbox.worker")
    parser.add_argument("--max-cpu-seconds", type=float, default=60.0)
    parser.add_argument("--max-memory-mb", type=int, default=2048)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--shm-fd", type=int, default=-1)
    parser.add_argument("--shm-bytes", type=int, default=0)
    args = parser.parse_args(argv)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr = _Sink()  # type: ignore[assignment]
    region = None
    try:
        heap_kept = heap.keep_freed_memory()
        if args.shm_fd >= 0:
            # Mapped before ``Walls`` measures the idle footprint, so that RLIMIT_AS leaves
            # ``memory_mb`` for the code on top of the region; the fd is closed right away.
            region = shm.attach(args.shm_fd, args.shm_bytes)
        warm_up()
        walls = Walls(args.max_cpu_seconds, args.max_memory_mb, args.runs)
        report = walls.raise_walls()
        report.update(heap_kept=heap_kept, shared_bytes=region.size if region is not None else 0)
        signal.signal(signal.SIGPROF, _CpuTimer.fire)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except Exception as exc:
        _send(stdout, {"type": "fatal", "error": f"{type(exc).__name__}: {exc}", "tables": []})
        return 1
    # Bytes the server tries to read from this process: can it read results from here?
    probe = np.frombuffer(os.urandom(16), dtype=np.uint8).copy()
    ready = {
        "pid": os.getpid(),
        "walls": report,
        "probe": [probe.ctypes.data, probe.tobytes().hex()],
    }
    _send(stdout, {"type": "ready", **ready, "tables": []})
    read_exact = _reader(stdin)
    fragmented = False
    kept: list[Any] = []  # the last result's buffers, which the server reads from here
    while True:
        try:
            header, blobs = protocol.read_message(read_exact)
        except EOFError:
            return 0
        if kept:  # the server sends a request only once it has read the last result
            kept = []
            fragmented = walls.fragmented()
        try:
            response, out_blobs, kept = _serve_one(header, blobs, walls, region, _go(read_exact))
        except execute.CpuLimitExceeded:  # fired between the run and the answer
            signal.setitimer(signal.ITIMER_PROF, 0)
            response, out_blobs, kept = *_failure("limit: CPU time exceeded", True), []
        # The heap is measured once nothing of the run is left (see ``heap``): now, unless a
        # result is still to be piped or read; then afterwards, for the next answer to say.
        piped = any(blob is not None for blob in out_blobs)
        fragmented = fragmented or (not piped and not kept and walls.fragmented())
        response["recycle"] = response["recycle"] or fragmented
        _send(stdout, response, out_blobs)
        del out_blobs
        fragmented = piped and walls.fragmented()


if __name__ == "__main__":
    sys.exit(main())

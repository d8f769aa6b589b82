"""One worker process seen from the server: start it (with its shared region, see ``shm``),
exchange messages with a deadline, kill it.

All calls block; ``SandboxPool`` runs them in threads. Reads and writes go through ``poll`` on
non-blocking pipes, so the wall-clock deadline holds in both directions, and a worker that
sends a length larger than allowed is killed instead of being believed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from nodes.code.sandbox import protocol, remote, shm

__all__ = ["WallClockExceeded", "WorkerDied", "WorkerProcess"]

F_SETPIPE_SZ = 1031
PIPE_SIZE = 1 << 20
# The directory holding the ``nodes`` package: the worker imports the very same code.
PROJECT_ROOT = str(Path(__file__).resolve().parents[3])


class WallClockExceeded(Exception):
    """The deadline passed before the worker answered."""


class WorkerDied(Exception):
    """The worker's pipe closed: it exited or was killed."""


def worker_env() -> dict[str, str]:
    """A clean environment: no server secrets (MAXDP_SECRET_KEY, database URLs) get through."""
    return {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONPATH": PROJECT_ROOT,
        "PYTHONSAFEPATH": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "ARROW_DEFAULT_MEMORY_POOL": "system",
        "MALLOC_ARENA_MAX": "1",
    }


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


class WorkerProcess:
    """A started worker and its two pipes."""

    def __init__(self, proc: subprocess.Popen[bytes], region: shm.Region | None = None) -> None:
        self.proc = proc
        self.region = region
        # Set when the server may read results from the worker's memory (see ``remote``).
        self.reader: remote.Reader | None = None
        self.runs = 0
        self.walls: dict[str, Any] = {}
        assert proc.stdin is not None and proc.stdout is not None
        self._out = proc.stdin.fileno()
        self._in = proc.stdout.fileno()
        for fd in (self._out, self._in):
            with contextlib.suppress(OSError):
                fcntl.fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE)
            os.set_blocking(fd, False)

    @classmethod
    def start(
        cls,
        max_cpu_seconds: float,
        max_memory_mb: int,
        runs: int,
        timeout: float,
        shared_bytes: int = 0,
        read_memory: bool = True,
    ) -> WorkerProcess:
        """Start a worker; with ``shared_bytes`` it gets a shared region of that size, and with
        ``read_memory`` too, its results are read from its memory where the kernel allows."""
        fd, region = shm.create(shared_bytes) if shared_bytes > 0 else (-1, None)
        cmd = [
            sys.executable,
            "-s",
            "-B",
            "-m",
            "nodes.code.sandbox.worker",
            "--max-cpu-seconds",
            str(max_cpu_seconds),
            "--max-memory-mb",
            str(max_memory_mb),
            "--runs",
            str(runs),
        ]
        if region is not None:
            cmd += ["--shm-fd", str(fd), "--shm-bytes", str(region.size)]
        try:
            proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
                cmd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                close_fds=True,
                pass_fds=(fd,) if region is not None else (),
                env=worker_env(),
                cwd="/",
                start_new_session=True,
                bufsize=0,
            )
        except BaseException:
            if region is not None:
                region.close()
            raise
        finally:
            if region is not None:
                os.close(fd)  # the worker has its copy; our mapping keeps the memory
        worker = cls(proc, region)
        try:
            header, _ = worker.receive(time.monotonic() + timeout, max_table_bytes=0)
        except (WallClockExceeded, WorkerDied, protocol.TableError, ValueError) as exc:
            reason = worker._stderr_tail() or str(exc) or type(exc).__name__
            worker.kill()
            raise RuntimeError(f"worker did not start: {reason}") from None
        if header.get("type") != "ready":
            worker.kill()
            raise RuntimeError(f"worker did not start: {header.get('error', header)}")
        worker.walls = header.get("walls", {})
        if region is not None and read_memory:
            worker.reader = remote.Reader.for_worker(proc.pid, header.get("probe"))
        # The worker points its own stderr at /dev/null once ready; we no longer need ours.
        if proc.stderr is not None:
            proc.stderr.close()
        return worker

    def _stderr_tail(self) -> str:
        stream = self.proc.stderr
        if stream is None or stream.closed:
            return ""
        with contextlib.suppress(OSError, ValueError, subprocess.TimeoutExpired):
            self.proc.wait(timeout=2)
            text = stream.read(65536) or b""
            lines = text.decode(errors="replace").strip().splitlines()
            return lines[-1] if lines else ""
        return ""

    # -- I/O with a deadline ---------------------------------------------------------------

    def _wait(self, fd: int, event: int, deadline: float) -> None:
        poller = select.poll()
        poller.register(fd, event)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WallClockExceeded
            if poller.poll(min(remaining, 3600) * 1000):
                return

    def send(self, parts: list[Any], deadline: float) -> None:
        """Write a message (see ``protocol.pack``), tables streamed from their buffers."""
        try:
            protocol.write_parts(parts, lambda chunk: self._write_all(chunk, deadline))
        except (BrokenPipeError, ConnectionResetError):
            raise WorkerDied from None

    def go(self, deadline: float) -> None:
        """Tell the worker that the request's values are all in the region (``protocol.GO``)."""
        try:
            self._write_all(protocol.GO_BYTE, deadline)
        except (BrokenPipeError, ConnectionResetError):
            raise WorkerDied from None

    def _write_all(self, data: Any, deadline: float) -> None:
        view = memoryview(data).cast("B")
        while view.nbytes:
            self._wait(self._out, select.POLLOUT, deadline)
            try:
                written = os.write(self._out, view)
            except BlockingIOError:
                continue
            view = view[written:]

    def _read_exact(self, size: int, deadline: float) -> bytearray:
        buffer = bytearray(size)
        view = memoryview(buffer)
        got = 0
        while got < size:
            self._wait(self._in, select.POLLIN, deadline)
            try:
                count = os.readv(self._in, [view[got:]])
            except BlockingIOError:
                continue
            if count == 0:
                raise WorkerDied
            got += count
        return buffer

    def receive(
        self, deadline: float, max_table_bytes: int | None
    ) -> tuple[dict[str, Any], list[Any]]:
        return protocol.read_message(lambda n: self._read_exact(n, deadline), max_table_bytes)

    # -- ending ------------------------------------------------------------------------------

    def kill(self) -> None:
        # The whole process group: anything the worker might have started goes with it.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        self._close_pipes()

    def close(self, timeout: float = 2.0) -> None:
        """Ask the worker to exit (end of input), kill it if it does not."""
        with contextlib.suppress(OSError, ValueError):
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        self._close_pipes()

    def _close_pipes(self) -> None:
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            with contextlib.suppress(OSError, ValueError):
                if stream is not None:
                    stream.close()
        if self.region is not None:
            self.region.close()
        if self.reader is not None:
            self.reader.close()

    def death_reason(self, memory_mb: int, cpu_seconds: float) -> str:
        """Why the worker is gone, as a node error message."""
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.returncode
        if code is None or code >= 0:
            return f"sandbox: worker process exited unexpectedly (status {code})"
        number = -code
        if number == signal.SIGXCPU:
            return f"limit: CPU time exceeded {cpu_seconds:g} s"
        if number == signal.SIGXFSZ:
            return "guard: writing files is not allowed"
        if number in (signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS, signal.SIGKILL):
            return (
                f"limit: memory exceeded {memory_mb} MB (worker stopped by {_signal_name(number)})"
            )
        return f"sandbox: worker process stopped by {_signal_name(number)}"

"""A shared-memory region between the server and one worker, where large tables cross.

Moving a table of some tens of MB through the pipes costs more than most scripts that use it,
so each worker gets one region, created once and reused by every request it serves:

- the server creates a memfd, sets its size and seals it (no shrink, no grow), maps it, and
  passes the descriptor to the worker at start (``pass_fds``);
- the worker maps it before its walls go up and closes the descriptor, so it still holds only
  fds 0-2, and user code has no object for the mapping (it lives in the worker's own module);
- a request writes its input tables (Arrow IPC streams) into the region and sends only offsets
  and lengths in the JSON header; the worker writes its result back the same way, after the
  inputs (the result may be a view of them). A table that does not fit crosses the pipe.
  The server writes the streams' headers first, sends the request, then copies the values and
  sends a go byte: meanwhile the worker decodes what needs only the layout (see ``worker``).

A worker serves one request at a time, so only one side writes at a time. Trust runs one way:

- the server never decodes in place. It checks the offset and length a worker names against the
  region (``span``) and copies the bytes into its own memory (``copy_out``) before Arrow reads
  them: a subverted worker could otherwise change offsets between validation and use. The seal
  means that a worker that got hold of the memfd cannot shrink it under the server's mapping
  (which would fault the server on its next read);
- the worker decodes its inputs in place: the region is the request's until the answer is
  sent. Null-free numbers become writable views of it (pandas refuses ``df.loc[i, c] = v`` on
  read-only ones), strings stay Arrow views. Before it answers, the worker releases the run's
  views (``release_views``); one that something still holds after a garbage collection would
  show the next run's tables, so that answer asks for the worker to be replaced.

>>> fd, region = create(1 << 16)
>>> os.close(fd)
>>> region.place([100, 1 << 16, 50])
[0, None, 128]
>>> region.span([128, 50], max_bytes=None)
(128, 50)
>>> region.span([1 << 16, 1], max_bytes=None)
Traceback (most recent call last):
...
nodes.code.sandbox.plainframe.TableError: table at [65536, 1] lies outside the shared region
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import gc
import mmap
import os
from collections.abc import Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np

from nodes.code.sandbox import copying
from nodes.code.sandbox.protocol import OutTable, TableError

__all__ = ["ALIGN", "DEFAULT_MB", "Region", "attach", "create", "release_views"]

DEFAULT_MB = 256
# Arrow aligns its buffers to 64 bytes inside a stream; streams start on that boundary too.
ALIGN = 64
# Pieces of a stream from this size on are copied after the stream is laid out, in parallel.
_DEFERRED_BYTES = 64 << 10
_SEALS = fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SEAL


class Region:
    """A mapped region as one writable ``memoryview`` of ``size`` bytes.

    ``owner`` keeps the mapping alive (an ``mmap`` in the server, the ctypes array in the
    worker): the view must never outlive it.
    """

    def __init__(self, view: memoryview, owner: Any) -> None:
        self._owner = owner
        self._view = view.cast("B") if view.format != "B" else view
        self.size = self._view.nbytes
        self._address = np.frombuffer(self._view, dtype=np.uint8).ctypes.data if self.size else 0

    def holds(self, array: np.ndarray) -> bool:
        """True when any byte of ``array`` lies in the region."""
        start = array.ctypes.data
        return start < self._address + self.size and self._address < start + array.nbytes

    def place(self, sizes: Sequence[int], start: int = 0) -> list[int | None]:
        """Offsets for streams of ``sizes`` laid one after another from ``start``; ``None``
        for one that does not fit in what is left (it goes through the pipe)."""
        offsets: list[int | None] = []
        at = start
        for size in sizes:
            at = -(-at // ALIGN) * ALIGN
            if at + size > self.size:
                offsets.append(None)
                continue
            offsets.append(at)
            at += size
        return offsets

    def write(
        self,
        table: OutTable,
        offset: int,
        holes: list[tuple[int, np.ndarray]] | None = None,
        deferred: list[copying.Pair] | None = None,
    ) -> None:
        """Write ``table``'s stream at ``offset`` (its room was found with ``place``).

        With ``holes`` (the worker, when the server reads its memory, see ``remote``), large
        buffers that lie outside the region are not copied: each is appended to ``holes`` as
        ``(position in the stream, its bytes)``, and the caller keeps those bytes alive.

        With ``deferred`` (the server), the large copies are appended to it instead: the caller
        makes them later, on two threads (see ``copying``); only the headers are written now."""
        if self._view.readonly:
            raise TableError("the shared region is not writable")
        target = np.frombuffer(self._view, dtype=np.uint8, count=table.size, offset=offset)
        pairs: list[copying.Pair] = []
        at = 0

        def put(data: Any) -> None:
            nonlocal at
            # Arrow hands over the table's own buffers (kept alive by ``source``); small
            # pieces (headers, padding) may be scratch memory: those are copied at once.
            source = np.frombuffer(data, dtype=np.uint8)
            end = at + source.nbytes
            if end > table.size:
                raise TableError("the table's stream is longer than measured")
            if source.nbytes < _DEFERRED_BYTES:
                target[at:end] = source
            elif holes is not None and not self.holds(source):
                holes.append((at, source))
            else:
                pairs.append((target[at:end], source))
            at = end

        table.write_to(put)
        if deferred is not None:
            deferred.extend(pairs)
        else:
            copying.copy(pairs, None)

    def span(self, location: Any, max_bytes: int | None) -> tuple[int, int]:
        """``(offset, length)`` from a header's ``[offset, length]``, checked to lie inside the
        region and, with ``max_bytes``, to be no larger than that."""
        valid = (
            isinstance(location, list)
            and len(location) == 2
            and all(type(v) is int for v in location)
        )
        if not valid:
            raise TableError(f"bad shared-memory location {location!r}")
        offset, length = location
        if offset < 0 or length < 0 or offset + length > self.size:
            raise TableError(f"table at {location!r} lies outside the shared region")
        if max_bytes is not None and length > max_bytes:
            raise TableError(f"table of {length} bytes is larger than allowed")
        return offset, length

    def view(self, offset: int, length: int) -> memoryview:
        """The bytes at ``span``'s result, in place (for the trusted side only)."""
        return self._view[offset : offset + length]

    def copy_out(self, offset: int, length: int, helper: Executor | None = None) -> np.ndarray:
        """A private copy of the bytes at ``span``'s result (with ``helper``, on two threads).
        numpy allocates it (huge pages for large tables), and the decoded table may keep
        pointing into it."""
        out = np.empty(length, dtype=np.uint8)
        source = np.frombuffer(self._view, dtype=np.uint8, count=length, offset=offset)
        copying.copy([(out, source)], helper)
        return out

    def close(self) -> None:
        """Unmap now if nothing still uses the view; otherwise when the last user lets go
        (a run thread may still be reading after its worker was killed)."""
        with contextlib.suppress(BufferError, ValueError):
            self._view.release()
            if isinstance(self._owner, mmap.mmap):
                self._owner.close()


def release_views(views: Sequence[memoryview]) -> bool:
    """Release views of the region a run read its tables from; False when something still
    points into one after a garbage collection (``protocol.decode_table`` makes everything
    it decodes hold an export of the view it read)."""
    for attempt in range(2):
        try:
            for view in views:
                view.release()
            return True
        except BufferError:
            if attempt == 0:
                gc.collect()
    return False


def create(size: int) -> tuple[int, Region]:
    """Server side: a sealed memfd of ``size`` bytes and the server's mapping of it. The caller
    passes the fd to the worker and then closes it (the mapping keeps its own)."""
    fd = os.memfd_create("maxdp-sandbox", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    try:
        os.ftruncate(fd, size)
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, _SEALS)
        mapped = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    except BaseException:
        os.close(fd)
        raise
    return fd, Region(memoryview(mapped), mapped)


def attach(fd: int, size: int) -> Region:
    """Worker side: map the region the server passed as ``fd`` and close ``fd``.

    Python's ``mmap`` keeps a duplicate of the descriptor open for as long as the object
    lives, which would be a fourth fd; libc's ``mmap`` keeps none.
    """
    try:
        if os.fstat(fd).st_size < size:
            raise OSError(f"shared region is smaller than {size} bytes")
        libc = ctypes.CDLL(None, use_errno=True)
        libc.mmap.restype = ctypes.c_void_p
        libc.mmap.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_long,
        ]
        address = libc.mmap(None, size, mmap.PROT_READ | mmap.PROT_WRITE, mmap.MAP_SHARED, fd, 0)
        if address in (None, ctypes.c_void_p(-1).value):
            raise OSError(ctypes.get_errno(), "mmap of the shared region failed")
    finally:
        os.close(fd)
    array = (ctypes.c_ubyte * size).from_address(address)
    return Region(memoryview(array), array)

"""The worker's malloc: keep freed memory for the next run instead of faulting it in again.

A run on a large table allocates and frees tens of MB (the decoded inputs, the code's own
copies, the result). With glibc's defaults most of that is returned to the kernel when freed
and faulted in again, page by page, by the next run: on 1e6 rows that made the same script
cost half as much again in a worker as in the server (4-5k page faults a run). So the worker
serves allocations up to 32 MB from its heap and keeps up to 128 MB free at the heap's top.

The memory limit is not loosened by this: RLIMIT_AS counts the kept memory as part of the
run's ``memory_mb``, and the run can reuse it: a free block in the heap serves any allocation it
can hold, and glibc grows the heap's free top when it cannot map a new block. What the run
cannot use is free memory below a block still in use (``fragmented_bytes``) for an allocation
larger than any such free block: that run is refused somewhat short of its ``memory_mb``. A
worker that holds more than 128 MB of it after a run is replaced, which bounds that shortfall.

Without glibc (``mallopt``/``mallinfo2`` missing) nothing is tuned.
"""

from __future__ import annotations

import ctypes

__all__ = ["FRAGMENTED_LIMIT", "fragmented_bytes", "keep_freed_memory"]

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20  # glibc's maximum
TRIM_THRESHOLD = 128 << 20
FRAGMENTED_LIMIT = 128 << 20


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(None)
        libc.mallinfo2.restype = _MallInfo2
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        return libc
    except (OSError, AttributeError):
        return None


_LIBC = _libc()


def keep_freed_memory() -> bool:
    """Set the thresholds (once, at worker start); False where malloc is not glibc's."""
    if _LIBC is None:
        return False
    return bool(
        _LIBC.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        and _LIBC.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )


def fragmented_bytes() -> int:
    """Free heap memory that is not at the top: kept, but usable only for smaller blocks."""
    if _LIBC is None:
        return 0
    info = _LIBC.mallinfo2()
    return max(0, int(info.fordblks) - int(info.keepcost))

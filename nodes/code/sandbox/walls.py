"""The walls a worker puts up before it reads user code, and lowers to each run's limits.

RLIMIT_CPU, RLIMIT_AS, RLIMIT_NOFILE (only the pipes), RLIMIT_FSIZE 0, RLIMIT_CORE 0, a private
network namespace when it can, no new privileges, not dumpable, and, when started as root, the
``nobody`` user; then every fd above 2 is closed. Per run the soft CPU and address-space limits
go down to the run's values and a CPU timer is armed for a precise stop; the hard limits stay as
the backstop.
"""

from __future__ import annotations

import ctypes
import math
import os
import pwd
import resource
import signal
from typing import Any

from nodes.code.sandbox import heap

__all__ = ["AS_SLACK_MB", "Walls"]

# Above the worker's idle footprint, room for the worker's own bookkeeping after a run.
AS_SLACK_MB = 256
CLONE_NEWNET = 0x40000000
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38
NOBODY = 65534


def _vm_mb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) // 1024
    return 0


def _nobody() -> tuple[int, int]:
    try:
        entry = pwd.getpwnam("nobody")
        return entry.pw_uid, entry.pw_gid
    except KeyError:
        return NOBODY, NOBODY


def _libc_call(name: str, *args: int) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return getattr(libc, name)(*args) == 0
    except (OSError, AttributeError):
        return False


class Walls:
    """The process limits of this worker and how to set them for one run."""

    def __init__(self, max_cpu_seconds: float, max_memory_mb: int, runs: int = 100) -> None:
        self.baseline_mb = _vm_mb()
        self.baseline_fragmented = heap.fragmented_bytes()
        self.as_hard = (self.baseline_mb + max_memory_mb + AS_SLACK_MB) * 2**20
        # The hard CPU limit covers every run this worker will serve; each run's soft limit is
        # set from its own budget. (A subverted worker could raise its soft limit this far:
        # the server's wall-clock kill bounds it anyway.)
        self.cpu_hard = int(self.cpu_used() + (max_cpu_seconds + 2) * runs + 60)
        self.report: dict[str, Any] = {}

    @staticmethod
    def cpu_used() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def raise_walls(self) -> dict[str, Any]:
        is_root = os.geteuid() == 0
        uid, gid = _nobody()  # read /etc/passwd while files can still be opened
        self.report["network"] = (
            "isolated" if is_root and _libc_call("unshare", CLONE_NEWNET) else "shared"
        )
        # stderr was a pipe for start-up errors only; from here on nothing reads it.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
        resource.setrlimit(resource.RLIMIT_CPU, (self.cpu_hard, self.cpu_hard))
        resource.setrlimit(resource.RLIMIT_AS, (self.as_hard, self.as_hard))
        resource.setrlimit(resource.RLIMIT_NOFILE, (3, 3))
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.umask(0o777)
        os.chdir("/")
        if is_root:
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            # Counted per user, so every worker shares it; root would have ignored it.
            resource.setrlimit(resource.RLIMIT_NPROC, (256, 256))
        self.report["no_new_privs"] = _libc_call("prctl", PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        self.report["not_dumpable"] = _libc_call("prctl", PR_SET_DUMPABLE, 0, 0, 0, 0)
        os.closerange(3, 1 << 16)
        self.report.update(uid=os.getuid(), gid=os.getgid(), baseline_mb=self.baseline_mb)
        return self.report

    def enter_run(self, cpu_seconds: float, memory_mb: int) -> None:
        soft_cpu = min(self.cpu_hard, math.ceil(self.cpu_used() + cpu_seconds + 1))
        resource.setrlimit(resource.RLIMIT_CPU, (soft_cpu, self.cpu_hard))
        soft_as = min(self.as_hard, (self.baseline_mb + memory_mb) * 2**20)
        resource.setrlimit(resource.RLIMIT_AS, (soft_as, self.as_hard))
        signal.setitimer(signal.ITIMER_PROF, cpu_seconds)

    def fragmented(self) -> bool:
        """Too much free memory stuck below blocks in use (see ``heap``): replace the worker."""
        return heap.fragmented_bytes() - self.baseline_fragmented > heap.FRAGMENTED_LIMIT

    def leave_run(self) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0)
        resource.setrlimit(resource.RLIMIT_AS, (self.as_hard, self.as_hard))
        resource.setrlimit(resource.RLIMIT_CPU, (self.cpu_hard, self.cpu_hard))

"""Peak resident memory and CPU time of one process, its own and no one else's.

`getrusage(RUSAGE_SELF).ru_maxrss` is not that for a process the suite started: Linux keeps
the largest resident set of every address space the process has had, and a child begins in a
copy of its parent's (fork) or in the parent's own (vfork), which it leaves at `exec`. So
a child of a bench process holding the L floor (1.2 GB) reported 1,261 MB whatever it did.
`VmHWM` in /proc/PID/status is the high-water mark of the address space the process has now,
made new at `exec`: the process's own peak, from its own code on. The engine is another
process, measured the same way by its pid (`process_peak_mb`).

CPU seconds (`process_cpu_seconds`) are the other figure a shared machine does not distort
much: wall-clock time depends on who else runs, CPU time far less. A child's start at zero.
"""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path


def own_peak_mb() -> float:
    """This process's peak resident memory in MB since it started its program."""
    return process_peak_mb("self")


def process_peak_mb(pid: int | str) -> float:
    """Peak resident memory in MB of a running process (`VmHWM`), or 0.0 if it is gone.

    Off Linux (no /proc): for this process `ru_maxrss`, the best there is, with the caveat
    above; for another, 0.0.
    """
    if not Path("/proc/self/status").exists():
        if pid != "self":
            return 0.0
        scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, else kB
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return 0.0
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    return 0.0


def process_cpu_seconds(pid: int | str = "self") -> float:
    """User and system CPU seconds a running process has used, or 0.0 if it is gone."""
    if pid == "self":
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    try:
        # The command may hold spaces and parentheses: the fields start after its last ")".
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / os.sysconf("SC_CLK_TCK")

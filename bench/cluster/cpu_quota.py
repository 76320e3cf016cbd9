"""A CPU quota for one process, as a pod's `resources.limits.cpu` sets one: Linux's CFS quota
in a cgroup of its own (v1's cpu controller, or v2's cpu.max). Needs root; the group is removed
when the process is done with it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

PERIOD_US = 100_000
V1 = Path("/sys/fs/cgroup/cpu")
V2 = Path("/sys/fs/cgroup")


@contextlib.contextmanager
def cpu_quota(pid: int, cores: float, name: str) -> Iterator[None]:
    """Holds `pid` (all its threads) to `cores` of CPU time until the block ends."""
    quota = str(int(cores * PERIOD_US))
    if (V1 / "cpu.cfs_quota_us").exists():
        root, limits = V1, {"cpu.cfs_period_us": str(PERIOD_US), "cpu.cfs_quota_us": quota}
    elif "cpu" in (V2 / "cgroup.controllers").read_text().split():
        root, limits = V2, {"cpu.max": f"{quota} {PERIOD_US}"}
    else:
        raise SystemExit("--cpu-per-process needs a cgroup cpu controller (v1 or v2)")
    group = root / name
    group.mkdir()
    try:
        for setting, value in limits.items():
            (group / setting).write_text(value)
        (group / "cgroup.procs").write_text(str(pid))
        yield
    finally:
        with contextlib.suppress(OSError):  # gone already: nothing to move back
            (root / "cgroup.procs").write_text(str(pid))
        group.rmdir()

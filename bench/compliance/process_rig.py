"""What the compliance and cluster benches share to run services as processes: distinct valid
numbers to text from, a service started as `python -m <module>` and stopped again, its CPU
time, and a line of output as it happens.

The benches run as scripts, so this folder is on sys.path: `from process_rig import ...`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path


def numbers_for(count: int, offset: int) -> list[str]:
    """Valid, distinct NANP numbers: area codes 201-299, exchange 200-999."""
    found = []
    for n in range(offset, offset + count):
        area, rest = divmod(n, 8_000_000)
        found.append(f"+1{201 + area}{2_000_000 + rest:07d}")
    return found


def start(module: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`python -m module` with this environment and `env`, its output to `log`."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", module], env={**os.environ, **env}, stdout=out, stderr=out
        )


def stop_all(processes: Iterable[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to each still running, then SIGKILL to any not gone within 20 s."""
    running = [process for process in processes if process.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    for process in running:
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()

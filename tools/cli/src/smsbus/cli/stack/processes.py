"""Processes the stack started, tracked by pid file: `down` stops exactly those, nothing else."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path


class PidFile:
    """`<state>/pids/<name>.pid` holding the pid and the command line it was started with.

    The command line guards against pid reuse: a pid whose process now runs something else is stale.
    """

    def __init__(self, pids_dir: Path, name: str) -> None:
        self.path = pids_dir / f"{name}.pid"

    def write(self, pid: int, argv: Sequence[str] | None = None) -> None:
        """Record pid with the command it runs (argv as launched, else read from /proc)."""
        command = " ".join(argv) if argv is not None else _cmdline(pid)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(f"{pid}\n{command}\n")

    def running_pid(self) -> int | None:
        """The recorded pid if that very process is still alive, else None (and the file goes)."""
        if not self.path.exists():
            return None
        lines = self.path.read_text().splitlines()
        pid = int(lines[0])
        recorded = lines[1] if len(lines) > 1 else ""
        # An empty command line is a process between states (exec, exit): still ours, not stale.
        if _alive(pid) and _cmdline(pid) in (recorded, ""):
            return pid
        self.path.unlink(missing_ok=True)
        return None

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def spawn(argv: Sequence[str], *, log: Path, env: dict[str, str], cwd: Path) -> int:
    """Start a detached process (own session, so a terminal's Ctrl-C does not reach it)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        process = subprocess.Popen(
            list(argv),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
    return process.pid


def terminate(pid: int, *, sig: signal.Signals = signal.SIGTERM, timeout: float = 30.0) -> bool:
    """Ask politely, wait, then SIGKILL. True if it had to be killed."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return False
    return await_exit(pid, timeout=timeout)


def await_exit(pid: int, *, timeout: float) -> bool:
    """Wait for a process already asked to stop; SIGKILL it after `timeout`. True if killed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return False
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    while _alive(pid):
        time.sleep(0.05)
    return True


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def free_port_block(size: int, *, spare: int = 0) -> int:
    """The first of `size` consecutive free loopback ports (for a stack of its own: tests,
    benches), below the kernel's ephemeral range: a port in that range may be taken by some
    outgoing connection between now and the listener's start. `spare` ports above the block
    stay below the range too."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    draw = random.Random()
    for _ in range(200):
        first = draw.randrange(20_000, low - size - spare)
        if all(_bindable(first + n) for n in range(size)):
            return first
    raise RuntimeError(f"no {size} consecutive free ports below {low}")


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"):
        _reap(pid)  # an exited child of this very process: collect it, it is gone
        return False
    return True


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()

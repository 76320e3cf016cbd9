"""The pid-file process tracking that lets `make down` stop exactly what `make up` started."""

import signal
import sys
import time
from pathlib import Path

from smsbus.cli.stack.processes import PidFile, port_in_use, spawn, terminate

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]
# Ignores SIGTERM, so only the SIGKILL escalation can stop it.
STUBBORN = [
    sys.executable,
    "-c",
    "import signal, time\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "print('armed', flush=True)\n"
    "time.sleep(60)",
]


def _start(tmp_path: Path, argv: list[str], name: str = "sleeper") -> tuple[PidFile, int]:
    pidfile = PidFile(tmp_path / "pids", name)
    pid = spawn(argv, log=tmp_path / "logs" / f"{name}.log", env={}, cwd=tmp_path)
    pidfile.write(pid, argv)
    return pidfile, pid


def test_a_started_process_is_tracked_until_terminated(tmp_path: Path) -> None:
    pidfile, pid = _start(tmp_path, SLEEPER)
    assert pidfile.running_pid() == pid

    killed = terminate(pid, timeout=5)

    assert killed is False
    assert pidfile.running_pid() is None
    assert not pidfile.path.exists()


def test_a_process_ignoring_sigterm_is_killed_after_the_timeout(tmp_path: Path) -> None:
    pidfile, pid = _start(tmp_path, STUBBORN, "stubborn")
    log = tmp_path / "logs" / "stubborn.log"
    deadline = time.monotonic() + 10
    while "armed" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)

    killed = terminate(pid, sig=signal.SIGTERM, timeout=0.5)

    assert killed is True
    assert pidfile.running_pid() is None


def test_a_pid_now_running_another_command_is_not_ours(tmp_path: Path) -> None:
    """A recycled pid must never be stopped: the recorded command line no longer matches."""
    pidfile, pid = _start(tmp_path, SLEEPER)
    # Until the child has exec'd, its command line reads empty, which counts as ours (a process
    # between states); the recycled-pid case is a process that runs something else.
    deadline = time.monotonic() + 10
    while not Path(f"/proc/{pid}/cmdline").read_bytes() and time.monotonic() < deadline:
        time.sleep(0.01)
    pidfile.write(pid, ["/usr/bin/something-else", "--flag"])
    try:
        assert pidfile.running_pid() is None
        assert not pidfile.path.exists()
    finally:
        terminate(pid, timeout=5)


def test_a_missing_pid_file_means_nothing_runs(tmp_path: Path) -> None:
    assert PidFile(tmp_path, "never-started").running_pid() is None


def test_port_in_use_sees_a_listening_socket() -> None:
    import socket

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert port_in_use("127.0.0.1", port)
    assert not port_in_use("127.0.0.1", port)

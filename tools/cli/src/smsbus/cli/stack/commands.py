"""`smsbus stack up|down|status|logs|test`: one implementation behind the Makefile."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Sequence

from smsbus.cli.stack.components import Component, infrastructure, services
from smsbus.cli.stack.config import StackConfig
from smsbus.cli.stack.processes import terminate
from smsbus.cli.stack.provision import provision
from smsbus.cli.stack.tokens import new_token, stack_token


def up(config: StackConfig) -> None:
    """Start whatever is not running yet. Running it twice is harmless."""
    if "SMSBUS_API_TOKENS" not in config.env and not any(
        part.pidfile.running_pid() for part in services(config)
    ):  # a new token per `make up`, unless services already run with the last one
        new_token(config.state_dir)
    start(infrastructure(config))
    provision(config)
    start(services(config))
    status(config)


def down(config: StackConfig) -> None:
    """Stop exactly the processes the stack started (by pid file), services first."""
    stopped = stop([*reversed(services(config)), *reversed(infrastructure(config))])
    print("stopped: " + (", ".join(stopped) if stopped else "nothing of ours was running"))


def status(config: StackConfig) -> bool:
    """Print what runs, whether it is ready and where it listens; True when everything is ready."""
    rows = []
    all_ready = True
    for part in [*infrastructure(config), *services(config)]:
        pid = part.pidfile.running_pid()
        ready = part.ready()
        all_ready &= ready
        process = "external" if part.external else f"running (pid {pid})" if pid else "stopped"
        rows.append((part.name, process, "ready" if ready else "NOT READY", part.address))
    _print_table(("component", "process", "ready", "listens on"), rows)
    token = stack_token(config.env, config.state_dir)
    given = "SMSBUS_API_TOKENS" in config.env
    print(f"\nAPI token ({'first all token of SMSBUS_API_TOKENS' if given else 'all'}): {token}")
    return all_ready


def logs(config: StackConfig) -> None:
    for part in [*infrastructure(config), *services(config)]:
        print(f"{part.name:<16} {part.log}")
    print(f"{'state':<16} {config.state_dir}")


def run_tests(config: StackConfig, pytest_args: Sequence[str]) -> int:
    """Start what the tests need that is not running, run pytest, stop what this call started."""
    started = start(infrastructure(config))
    try:
        command = ["pytest", *pytest_args]
        print("running: " + " ".join(command), flush=True)
        return subprocess.run(command, env=config.child_environment(), check=False).returncode
    finally:
        stopped = stop(list(reversed(started)))
        if stopped:
            print("stopped what the tests started: " + ", ".join(stopped))


def start(parts: list[Component]) -> list[Component]:
    """Start the parts that are not running, in order; return those this call started."""
    for part in parts:
        part.install()
    started: list[Component] = []
    try:
        for part in parts:
            if not part.external and part.pidfile.running_pid() is None:
                print(f"starting {part.name} ...", flush=True)
                part.start()
                started.append(part)
            _wait_ready(part)
    except BaseException:
        stop(list(reversed(started)))
        raise
    return started


def stop(parts: Sequence[Component]) -> list[str]:
    """Stop, in the given order, the parts whose recorded process is still alive."""
    stopped = []
    for part in parts:
        pid = part.pidfile.running_pid()
        if pid is None:
            continue
        killed = terminate(pid, sig=part.stop_signal, timeout=part.ready_timeout)
        part.pidfile.remove()
        stopped.append(f"{part.name} (pid {pid}{', killed' if killed else ''})")
    return stopped


def _wait_ready(part: Component) -> None:
    deadline = time.monotonic() + part.ready_timeout
    while not part.ready():
        if not part.external and part.pidfile.running_pid() is None:
            raise SystemExit(f"{part.name} exited while starting; see {part.log}")
        if time.monotonic() > deadline:
            where = f"at {part.address}" if part.external else f"; see {part.log}"
            raise SystemExit(f"{part.name} not ready after {part.ready_timeout:.0f}s {where}")
        time.sleep(0.5)


def _print_table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))

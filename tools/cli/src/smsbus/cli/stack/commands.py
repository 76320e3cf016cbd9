"""`smsbus stack up|down|status|logs|test`: one implementation behind the Makefile."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import subprocess
import time
from collections.abc import Sequence

from smsbus.cli.stack.cluster import Shape, forget_shape, read_shape, write_shape
from smsbus.cli.stack.components import Component, infrastructure, services
from smsbus.cli.stack.config import StackConfig
from smsbus.cli.stack.processes import await_exit
from smsbus.cli.stack.provision import provision
from smsbus.cli.stack.tokens import new_token, stack_token


def up(config: StackConfig) -> None:
    """Start whatever is not running yet. Running it twice is harmless."""
    running = as_started(config)
    if running.shape != config.shape and _any_running(running):
        raise SystemExit(
            f"the stack runs with {describe(running.shape)}: `make down` before starting it "
            f"with {describe(config.shape)}"
        )
    write_shape(config.state_dir, config.shape)  # so that `status` and `down` see all of it
    if "SMSBUS_API_TOKENS" not in config.env and not any(
        part.pidfile.running_pid() for part in services(config)
    ):  # a new token per `make up`, unless services already run with the last one
        new_token(config.state_dir)
    start(infrastructure(config))
    provision(config)
    start(services(config))
    status(config)


def down(config: StackConfig) -> None:
    """Stop exactly the processes the stack started (by pid file), services first: every broker
    and replica `up` started, whatever the variables say now."""
    config = as_started(config)
    stopped = stop(services(config)) + stop(infrastructure(config))
    forget_shape(config.state_dir)
    print("stopped: " + (", ".join(stopped) if stopped else "nothing of ours was running"))


def as_started(config: StackConfig) -> StackConfig:
    """`config` with the shape `up` recorded (brokers, replicas), if it recorded one."""
    recorded = read_shape(config.state_dir)
    if recorded is None:
        return config
    shape = {"SMSBUS_KAFKA_BROKERS": recorded.kafka_brokers, "SMSBUS_REPLICAS": recorded.replicas}
    return dataclasses.replace(config, env={**config.env, **{k: str(v) for k, v in shape.items()}})


def describe(shape: Shape) -> str:
    brokers = "1 Kafka broker" if shape.kafka_brokers == 1 else f"{shape.kafka_brokers} brokers"
    each = "process" if shape.replicas == 1 else "processes"
    return f"{brokers}, {shape.replicas} {each} of each consuming service"


def _any_running(config: StackConfig) -> bool:
    return any(part.pidfile.running_pid() for part in [*infrastructure(config), *services(config)])


def status(config: StackConfig) -> bool:
    """Print what runs, whether it is ready and where it listens; True when everything is ready."""
    config = as_started(config)
    rows = []
    all_ready = True
    for part in [*infrastructure(config), *services(config)]:
        pid = part.pidfile.running_pid()
        ready = part.ready()
        all_ready &= ready
        process = "external" if part.external else f"running (pid {pid})" if pid else "stopped"
        rows.append((part.name, process, "ready" if ready else "NOT READY", part.address))
    _print_table(("component", "process", "ready", "listens on"), rows)
    replication = config.replication
    print(
        f"\n{describe(config.shape)}; topics: replication factor {replication.factor}, "
        f"min.insync.replicas {replication.min_insync}"
    )
    token = stack_token(config.env, config.state_dir)
    given = "SMSBUS_API_TOKENS" in config.env
    print(f"\nAPI token ({'first all token of SMSBUS_API_TOKENS' if given else 'all'}): {token}")
    return all_ready


def logs(config: StackConfig) -> None:
    config = as_started(config)
    for part in [*infrastructure(config), *services(config)]:
        print(f"{part.name:<16} {part.log}")
    print(f"{'state':<16} {config.state_dir}")


def run_tests(config: StackConfig, pytest_args: Sequence[str]) -> int:
    """Start what the tests need that is not running, run pytest, stop what this call started."""
    recorded = read_shape(config.state_dir) is not None
    if recorded:
        config = as_started(config)
    else:  # recorded while this call's brokers run, so that a `make down` meanwhile finds them
        write_shape(config.state_dir, config.shape)
    try:
        started = start(infrastructure(config))
    except BaseException:
        if not recorded:
            forget_shape(config.state_dir)
        raise
    try:
        command = ["pytest", *pytest_args]
        print("running: " + " ".join(command), flush=True)
        return subprocess.run(command, env=config.child_environment(), check=False).returncode
    finally:
        stopped = stop(list(reversed(started)))
        if stopped:
            print("stopped what the tests started: " + ", ".join(stopped))
        if not recorded:
            forget_shape(config.state_dir)


def start(parts: list[Component]) -> list[Component]:
    """Start the parts that are not running, all of them, then wait until each is ready (a
    cluster's brokers must run together: none is ready before a majority of them runs); return
    those this call started."""
    for part in parts:
        part.install()
    started: list[Component] = []
    try:
        for part in parts:
            if not part.external and part.pidfile.running_pid() is None:
                print(f"starting {part.name} ...", flush=True)
                part.start()
                started.append(part)
        for part in parts:
            _wait_ready(part)
    except BaseException:
        stop(list(reversed(started)))
        raise
    return started


def stop(parts: Sequence[Component]) -> list[str]:
    """Stop the parts whose recorded process is still alive: all are asked at once, then each is
    waited for. A cluster's brokers must stop together: the last one left alone could not reach
    a majority of controllers for its controlled shutdown, and would wait until killed."""
    asked = []
    for part in parts:
        pid = part.pidfile.running_pid()
        if pid is None:
            continue
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, part.stop_signal)
        asked.append((part, pid))
    stopped = []
    for part, pid in asked:
        killed = await_exit(pid, timeout=part.ready_timeout)
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

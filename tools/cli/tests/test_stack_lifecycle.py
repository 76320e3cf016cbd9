"""`smsbus stack up; status; demo; up; down` as an operator runs it, on ports and a state dir of its
own.

Proves that `smsbus demo` holds on a fresh stack, that a second `up` is harmless, that the
registry's topics exist afterwards, and that `down` leaves no process of ours behind.
"""

import asyncio
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from smsbus.cli.demo import STEPS
from smsbus.cli.stack.config import StackConfig
from smsbus.cli.stack.services import KNOWN_SERVICES, installed_services
from smsbus.contracts.topics import all_dlq_topics, all_topics
from smsbus.runtime.testing_kafka import kafka_admin

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _smsbus(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smsbus.cli", *args],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def _processes_under(directory: Path) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(directory) in text:
            found.append(text)
    return found


async def _topic_names(bootstrap: str) -> set[str]:
    async with kafka_admin(bootstrap) as admin:
        return set(await admin.list_topics())


def test_up_status_up_down_leaves_nothing_behind(tmp_path: Path) -> None:
    state = tmp_path / "state"
    kafka_port = _free_port()
    # `make test` exports the outer stack's addresses (its broker, database, simulator, ingest):
    # this stack must compute its own from its own ports, or its services talk to the outer one.
    outer = {"SMSBUS_KAFKA_BOOTSTRAP", "SMSBUS_DATABASE_URL", *StackConfig.load().local_defaults()}
    env = {k: v for k, v in os.environ.items() if k not in outer}
    env |= {
        "SMSBUS_STATE_DIR": str(state),
        "SMSBUS_KAFKA_PORT": str(kafka_port),
        "SMSBUS_KAFKA_CONTROLLER_PORT": str(_free_port()),
        "SMSBUS_POSTGRES_PORT": str(_free_port()),
        "SMSBUS_KAFKA_HEAP": "-Xms256m -Xmx512m",
        "SMSBUS_TOPIC_PARTITIONS": "2",
    }
    env |= {spec.port_variable: str(_free_port()) for spec in KNOWN_SERVICES}
    expected_processes = 2 + len(installed_services())
    try:
        first = _smsbus(env, "stack", "up")
        assert first.returncode == 0, first.stdout + first.stderr
        assert "starting kafka" in first.stdout
        assert "starting postgres" in first.stdout
        pids_after_first = sorted(p.read_text() for p in (state / "pids").glob("*.pid"))

        status = _smsbus(env, "stack", "status")
        assert status.returncode == 0, status.stdout + status.stderr
        assert "NOT READY" not in status.stdout
        assert status.stdout.count("running (pid") == expected_processes

        demo = _smsbus(env, "demo")
        assert demo.returncode == 0, demo.stdout + demo.stderr
        assert all(title in demo.stdout for title in STEPS), demo.stdout
        assert demo.stdout.count("   held (") == len(STEPS), demo.stdout

        second = _smsbus(env, "stack", "up")
        assert second.returncode == 0, second.stdout + second.stderr
        assert "starting" not in second.stdout
        assert sorted(p.read_text() for p in (state / "pids").glob("*.pid")) == pids_after_first

        topics = asyncio.run(_topic_names(f"127.0.0.1:{kafka_port}"))
        assert set(all_topics()) | set(all_dlq_topics()) <= topics
    finally:
        down = _smsbus(env, "stack", "down")
        cluster = state / "postgres"
        if cluster.is_symlink():  # as root, the cluster lives where the postgres user can reach
            shutil.rmtree(cluster.resolve())

    assert down.returncode == 0, down.stdout + down.stderr
    assert "kafka" in down.stdout
    assert "postgres" in down.stdout
    assert _processes_under(state) == []
    after = _smsbus(env, "stack", "status")
    assert after.returncode == 1
    assert after.stdout.count("stopped") == expected_processes

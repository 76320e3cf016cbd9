"""What the stack is made of, in start order, and the shape every part shares."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Protocol

from smsbus.cli.stack.config import StackConfig
from smsbus.cli.stack.kafka import KafkaBroker
from smsbus.cli.stack.postgres import PostgresServer
from smsbus.cli.stack.processes import PidFile
from smsbus.cli.stack.services import ServiceProcess, installed_services


class Component(Protocol):
    name: str
    pidfile: PidFile
    stop_signal: signal.Signals
    ready_timeout: float
    external: bool

    @property
    def address(self) -> str: ...

    @property
    def log(self) -> Path: ...

    def install(self) -> None: ...

    def start(self) -> None: ...

    def ready(self) -> bool: ...


def infrastructure(config: StackConfig) -> list[Component]:
    """Kafka (every broker of a local cluster) and PostgreSQL: ours, or the servers the
    configuration names (then only checked)."""
    return [*brokers(config), PostgresServer(config)]


def brokers(config: StackConfig) -> list[KafkaBroker]:
    if config.kafka_external:
        return [KafkaBroker(config)]
    return [KafkaBroker(config, node) for node in config.kafka_nodes]


def services(config: StackConfig) -> list[Component]:
    """Every service; SMSBUS_REPLICAS processes of each consuming one."""
    return [
        ServiceProcess(config, spec, replica)
        for spec in installed_services()
        for replica in range(1, (config.replicas if spec.replicated else 1) + 1)
    ]

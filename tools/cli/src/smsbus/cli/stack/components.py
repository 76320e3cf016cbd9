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
    """Kafka and PostgreSQL: ours, or the servers the configuration names (then only checked)."""
    return [KafkaBroker(config), PostgresServer(config)]


def services(config: StackConfig) -> list[Component]:
    return [ServiceProcess(config, spec) for spec in installed_services()]

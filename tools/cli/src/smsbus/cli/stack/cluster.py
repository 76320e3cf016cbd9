"""The shape of the local stack: how many Kafka brokers, how many processes of each consuming
service, and how topics are replicated across those brokers. Pure: no I/O but the shape file.

SMSBUS_KAFKA_BROKERS and SMSBUS_REPLICAS say how many; unset, the shape the running stack was
started with (`<state>/shape.json`, written by `up`, removed by `down`), else one of each. So
`status` and `down` see every broker and replica without being told again.

Replication follows Confluent's durable default on a cluster: replication factor 3 and
min.insync.replicas 2, so that an acks=all write survives the loss of any one broker and writes
go on while one is down. One broker: 1 and 1.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

SHAPE_FILE = "shape.json"
MAX_DEFAULT_REPLICATION = 3
CLUSTER_HEAP = "-Xms256m -Xmx512m"
"""Each broker's heap on a cluster unless SMSBUS_KAFKA_HEAP says otherwise (three share a host)."""
REPLICA_PORT_STEP = 100
"""The n-th process of a service listens on the service's port + 100(n-1)."""
BROKER_PORT_STEP = 2
"""Broker n listens on SMSBUS_KAFKA_PORT + 2(n-1), its controller on the controller port + 2(n-1):
with the defaults 9092/9093, 9094/9095, 9096/9097."""


@dataclass(frozen=True)
class Shape:
    kafka_brokers: int = 1
    replicas: int = 1


@dataclass(frozen=True)
class Replication:
    factor: int
    min_insync: int

    def topic_configs(self) -> dict[str, str]:
        return {"min.insync.replicas": str(self.min_insync)}


def resolve_shape(env: Mapping[str, str], recorded: Shape | None) -> Shape:
    """The variables, else the recorded shape, else one broker and one process of each."""
    base = recorded or Shape()
    return Shape(
        kafka_brokers=_count(env, "SMSBUS_KAFKA_BROKERS", base.kafka_brokers),
        replicas=_count(env, "SMSBUS_REPLICAS", base.replicas),
    )


def replication_for(brokers: int, factor: str | None, min_insync: str | None) -> Replication:
    """The replication factor (default: the brokers, at most 3) and min.insync.replicas
    (default: the factor minus 1, at least 1)."""
    chosen = int(factor) if factor else min(brokers, MAX_DEFAULT_REPLICATION)
    insync = int(min_insync) if min_insync else max(1, chosen - 1)
    if chosen < 1 or insync < 1:
        raise SystemExit("SMSBUS_KAFKA_REPLICATION_FACTOR and …_MIN_INSYNC_REPLICAS must be ≥ 1")
    if insync > chosen:
        raise SystemExit(
            f"min.insync.replicas {insync} > replication factor {chosen}: no acks=all write "
            "could ever be acknowledged"
        )
    return Replication(chosen, insync)


def node_ports(port: int, controller_port: int, node_id: int) -> tuple[int, int]:
    """(PLAINTEXT, CONTROLLER) ports of broker `node_id` (1-based)."""
    offset = BROKER_PORT_STEP * (node_id - 1)
    return port + offset, controller_port + offset


def check_ports(ports: list[int]) -> None:
    duplicates = sorted({port for port in ports if ports.count(port) > 1})
    if duplicates:
        raise SystemExit(
            f"the brokers' ports overlap ({', '.join(map(str, duplicates))}): set "
            "SMSBUS_KAFKA_CONTROLLER_PORT to SMSBUS_KAFKA_PORT + 1, as the defaults are"
        )


def replica_port(port: int, replica: int) -> int:
    """The port of a service's `replica`-th process (1-based)."""
    return port + REPLICA_PORT_STEP * (replica - 1)


def read_shape(state_dir: Path) -> Shape | None:
    path = state_dir / SHAPE_FILE
    if not path.exists():
        return None
    return Shape(**json.loads(path.read_text()))


def write_shape(state_dir: Path, shape: Shape) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / SHAPE_FILE).write_text(json.dumps(asdict(shape)) + "\n")


def forget_shape(state_dir: Path) -> None:
    (state_dir / SHAPE_FILE).unlink(missing_ok=True)


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name) or str(default)
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"{name} must be a whole number ≥ 1, not {value!r}")
    return int(value)

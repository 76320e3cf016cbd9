"""The local stack's shape: brokers, replicas, replication, ports, and what `up` records for
`status` and `down`."""

from pathlib import Path

import pytest

from smsbus.cli.stack.cluster import (
    Replication,
    Shape,
    check_ports,
    forget_shape,
    read_shape,
    replica_port,
    replication_for,
    resolve_shape,
    write_shape,
)
from smsbus.cli.stack.commands import as_started
from smsbus.cli.stack.components import brokers, services
from smsbus.cli.stack.config import StackConfig


def _config(tmp_path: Path, environ: dict[str, str]) -> StackConfig:
    (tmp_path / ".env").write_text("")
    return StackConfig.load(tmp_path, {"SMSBUS_STATE_DIR": str(tmp_path / "state"), **environ})


@pytest.mark.parametrize(
    ("brokers", "factor", "min_insync", "expected"),
    [
        pytest.param(1, None, None, Replication(1, 1), id="one broker: 1 and 1"),
        pytest.param(2, None, None, Replication(2, 1), id="two: 2 and 1"),
        pytest.param(3, None, None, Replication(3, 2), id="three: Confluent's 3 and 2"),
        pytest.param(5, None, None, Replication(3, 2), id="more: still 3 and 2"),
        pytest.param(5, "5", None, Replication(5, 4), id="a factor given: min ISR one below"),
        pytest.param(3, "3", "3", Replication(3, 3), id="both given"),
    ],
)
def test_replication_follows_the_brokers_unless_set(
    brokers: int, factor: str | None, min_insync: str | None, expected: Replication
) -> None:
    assert replication_for(brokers, factor, min_insync) == expected


def test_a_min_insync_above_the_factor_is_refused() -> None:
    with pytest.raises(SystemExit, match="no acks=all write"):
        replication_for(3, "2", "3")


@pytest.mark.parametrize("value", ["0", "-1", "three", "1.5"])
def test_counts_must_be_whole_and_positive(value: str) -> None:
    with pytest.raises(SystemExit, match="SMSBUS_REPLICAS"):
        resolve_shape({"SMSBUS_REPLICAS": value}, None)


def test_the_variables_win_over_the_recorded_shape_field_by_field() -> None:
    recorded = Shape(kafka_brokers=3, replicas=2)

    assert resolve_shape({}, None) == Shape(1, 1)
    assert resolve_shape({}, recorded) == recorded
    assert resolve_shape({"SMSBUS_REPLICAS": "3"}, recorded) == Shape(3, 3)


def test_a_cluster_lists_every_broker_with_its_ports_in_the_bootstrap(tmp_path: Path) -> None:
    config = _config(tmp_path, {"SMSBUS_KAFKA_BROKERS": "3"})

    nodes = brokers(config)

    assert [(b.name, b.port, b.controller_port) for b in nodes] == [
        ("kafka-1", 9092, 9093),
        ("kafka-2", 9094, 9095),
        ("kafka-3", 9096, 9097),
    ]
    assert config.kafka_bootstrap == "127.0.0.1:9092,127.0.0.1:9094,127.0.0.1:9096"
    assert config.replication == Replication(3, 2)
    assert config.kafka_heap == ["-Xms256m", "-Xmx512m"]
    assert len({b.home for b in nodes}) == 3


def test_one_broker_keeps_the_single_node_layout(tmp_path: Path) -> None:
    config = _config(tmp_path, {})

    (node,) = brokers(config)

    assert (node.name, node.address, node.home) == ("kafka", "127.0.0.1:9092", node.libs.parent)
    assert config.kafka_heap == ["-Xms512m", "-Xmx1g"]


def test_overlapping_broker_ports_are_refused() -> None:
    with pytest.raises(SystemExit, match="overlap"):
        check_ports([9092, 9094, 9096, 9094, 9096, 9098])  # controller port = broker port + 2


def test_replicas_of_consuming_services_only_on_ports_100_apart(tmp_path: Path) -> None:
    config = _config(tmp_path, {"SMSBUS_REPLICAS": "3"})

    found = {part.name: part.address for part in services(config)}

    assert found["compliance"] == "http://127.0.0.1:8081"
    assert found["compliance-2"] == "http://127.0.0.1:8181"
    assert found["health-monitor-3"] == "http://127.0.0.1:8284"
    assert "ingest-webhooks" in found
    assert "ingest-webhooks-2" not in found, "ingest scales by workers behind one port"
    assert "openphone-sim-2" not in found
    assert replica_port(8082, 2) == 8182


def test_status_and_down_see_the_shape_up_recorded_until_down_forgets_it(tmp_path: Path) -> None:
    state = tmp_path / "state"
    plain = _config(tmp_path, {})

    write_shape(state, Shape(kafka_brokers=3, replicas=2))
    started = as_started(plain)

    assert read_shape(state) == Shape(3, 2)
    assert (started.kafka_brokers, started.replicas) == (3, 2)
    assert [b.name for b in brokers(started)] == ["kafka-1", "kafka-2", "kafka-3"]
    forget_shape(state)
    assert as_started(plain).shape == Shape(1, 1)

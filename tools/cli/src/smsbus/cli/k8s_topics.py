"""The Strimzi `KafkaTopic` resources of deploy/k8s, generated from the topic registry.

    ./uv run python -m smsbus.cli.k8s_topics --write   # regenerate the committed file
    ./uv run python -m smsbus.cli.k8s_topics --check   # exit 1 when it differs

The file: deploy/k8s/base/kafka/topics.yaml.

One KafkaTopic per topic of the registry and per dead-letter topic of a consuming group, for the
Kafka cluster `smsbus`. The base is production-shaped (3 replicas, min.insync.replicas 2: with
the producers' acks=all, a write that was acknowledged survives the loss of one broker);
overlays patch partitions and replicas through the `smsbus.io/topic-role` label.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from smsbus.cli import generated
from smsbus.cli.stack.config import find_repo_root
from smsbus.contracts.topics import (
    ROUTES,
    all_dlq_topics,
    all_topics,
    consumer_groups,
    route_for,
)

CLUSTER = "smsbus"
TOPICS_FILE = Path("deploy/k8s/base/kafka/topics.yaml")
REGENERATE = "./uv run python -m smsbus.cli.k8s_topics --write"

REPLICAS = 3
MIN_INSYNC_REPLICAS = 2
STREAM_PARTITIONS = 6  # the local stack's SMSBUS_TOPIC_PARTITIONS; docs/capacity.md per tier
DAY_MS = 24 * 3600 * 1000
REJECTED_TOPIC = route_for("webhook.rejected").topic


@dataclass(frozen=True)
class TopicPolicy:
    role: str
    partitions: int
    retention_ms: int
    why: str


# A stream's retention is how far back `smsbus replay group --since` can reach (restoring a
# service's database from a backup older than this loses what its consumer would replay).
STREAM = TopicPolicy("stream", STREAM_PARTITIONS, 7 * DAY_MS, "events; replayable for 7 days")
# What waits for a person (a fix, then a replay) is kept longer, and needs no parallelism:
# one partition keeps `smsbus dlq show` and `replay` in the order things failed.
DEAD_LETTER = TopicPolicy("dead-letter", 1, 30 * DAY_MS, "poison events awaiting replay")
QUARANTINE = TopicPolicy("quarantine", 1, 30 * DAY_MS, "unparseable webhooks awaiting replay")


@dataclass(frozen=True)
class TopicSpec:
    name: str
    policy: TopicPolicy
    producers: tuple[str, ...]
    consumers: tuple[str, ...]


def topic_specs() -> list[TopicSpec]:
    """Every topic the services use, in a stable order: the registry's, then the DLQs."""
    specs = []
    for topic in all_topics():
        routes = [route for route in ROUTES if route.topic == topic]
        producers = tuple(sorted({name for route in routes for name in route.producers}))
        policy = QUARANTINE if topic == REJECTED_TOPIC else STREAM
        specs.append(TopicSpec(topic, policy, producers, tuple(consumer_groups(topic))))
    for dlq in all_dlq_topics():
        specs.append(TopicSpec(dlq, DEAD_LETTER, (), ()))
    return specs


def render_topic(spec: TopicSpec) -> str:
    annotations = [f"    smsbus.io/purpose: {spec.policy.why}"]
    if spec.producers:
        annotations.append(f"    smsbus.io/producers: {','.join(spec.producers)}")
    if spec.consumers:
        annotations.append(f"    smsbus.io/consumer-groups: {','.join(spec.consumers)}")
    lines = [
        "---",
        "apiVersion: kafka.strimzi.io/v1",
        "kind: KafkaTopic",
        "metadata:",
        f"  name: {spec.name}",
        "  labels:",
        f"    strimzi.io/cluster: {CLUSTER}",
        "    app.kubernetes.io/part-of: smsbus",
        f"    smsbus.io/topic-role: {spec.policy.role}",
        "  annotations:",
        *annotations,
        "spec:",
        # Explicit, so that a kustomize name prefix can never rename the topic itself.
        f"  topicName: {spec.name}",
        f"  partitions: {spec.policy.partitions}",
        f"  replicas: {REPLICAS}",
        "  config:",
        f"    min.insync.replicas: {MIN_INSYNC_REPLICAS}",
        f"    retention.ms: {spec.policy.retention_ms}",
        "    cleanup.policy: delete",
    ]
    return "\n".join(lines) + "\n"


def render() -> str:
    header = (
        "# Generated from the topic registry (libs/contracts/src/smsbus/contracts/topics.py)\n"
        f"# by `{REGENERATE}`.\n"
        "# Do not edit: a test fails when this file and the registry differ.\n"
    )
    return header + "".join(render_topic(spec) for spec in topic_specs())


def sync(target: Path, *, check_only: bool) -> int:
    """Writes the file (or, with check_only, reports whether it is stale). Returns an exit code."""
    return generated.sync(
        target,
        render(),
        check_only=check_only,
        stale=f"{target} differs from the topic registry: run `{REGENERATE}`",
        written=f"wrote {len(topic_specs())} KafkaTopics to {target}",
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m smsbus.cli.k8s_topics", description=__doc__)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="regenerate the committed file")
    mode.add_argument("--check", action="store_true", help="exit 1 when it is out of date")
    args = parser.parse_args(argv)
    sys.exit(sync(find_repo_root() / TOPICS_FILE, check_only=args.check))


if __name__ == "__main__":
    main()

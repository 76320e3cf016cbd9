"""What `make up` does once the servers are ready: topics from the registry, then migrations."""

from __future__ import annotations

import asyncio
from pathlib import Path

from smsbus.cli.stack.config import StackConfig
from smsbus.cli.stack.services import KNOWN_SERVICES, ServiceSpec, migrations_dir
from smsbus.contracts.topics import all_dlq_topics, all_topics
from smsbus.runtime.kafka import ensure_topics
from smsbus.runtime.migrations import upgrade


def create_topics(config: StackConfig) -> None:
    """Every topic the registry names, and a dead-letter topic per consuming group, replicated
    as configured (SMSBUS_KAFKA_REPLICATION_FACTOR, …_MIN_INSYNC_REPLICAS). A topic that exists
    keeps its replicas: changing them is a reassignment, not provisioning."""
    names = [*all_topics(), *all_dlq_topics()]
    replication = config.replication
    created = asyncio.run(
        ensure_topics(
            config.kafka_bootstrap,
            names,
            partitions=config.topic_partitions,
            replication_factor=replication.factor,
            min_insync_replicas=replication.min_insync,
        )
    )
    print(
        f"topics: {len(names)} in the registry, {len(created)} created (replication factor "
        f"{replication.factor}, min.insync.replicas {replication.min_insync})",
        flush=True,
    )


def migration_plan(specs: tuple[ServiceSpec, ...] = KNOWN_SERVICES) -> list[tuple[str, Path]]:
    """(schema, Alembic scripts) of every service that owns a schema. A service whose package is
    not installed here stops provisioning: skipping it would start that service on an empty
    schema (the compose stack's provisioning image once held only the CLI's dependencies)."""
    plan, missing = [], []
    for spec in specs:
        if spec.schema is None:
            continue
        location = migrations_dir(spec)
        if location is None:
            missing.append(spec.name)
        else:
            plan.append((spec.schema, location))
    if missing:
        raise SystemExit(
            f"cannot migrate {', '.join(missing)}: its package is not installed here "
            "(install every member: `make install`, or `./uv sync --all-packages`)"
        )
    return plan


def run_migrations(config: StackConfig) -> None:
    for schema, location in migration_plan():
        asyncio.run(upgrade(config.database_url, schema=schema, script_location=location))
        print(f"migrations: {schema} at head", flush=True)


def provision(config: StackConfig) -> None:
    create_topics(config)
    run_migrations(config)

"""What `make up` does once the servers are ready: topics from the registry, then migrations."""

from __future__ import annotations

import asyncio

from smsbus.cli.stack.config import StackConfig
from smsbus.cli.stack.services import installed_services, migrations_dir
from smsbus.contracts.topics import all_dlq_topics, all_topics
from smsbus.runtime.kafka import ensure_topics
from smsbus.runtime.migrations import upgrade


def create_topics(config: StackConfig) -> None:
    """Every topic the registry names, and a dead-letter topic per consuming group."""
    names = [*all_topics(), *all_dlq_topics()]
    created = asyncio.run(
        ensure_topics(config.kafka_bootstrap, names, partitions=config.topic_partitions)
    )
    print(f"topics: {len(names)} in the registry, {len(created)} created", flush=True)


def run_migrations(config: StackConfig) -> None:
    for spec in installed_services():
        location = migrations_dir(spec)
        if location is not None and spec.schema is not None:
            asyncio.run(upgrade(config.database_url, schema=spec.schema, script_location=location))
            print(f"migrations: {spec.schema} at head", flush=True)


def provision(config: StackConfig) -> None:
    create_topics(config)
    run_migrations(config)

"""`smsbus replay group`: a stopped consumer group reads a topic again from a point in time.

What it is for: a service's database was restored from a backup taken at T (rewind its group to a
little before T: the inbox rows in the backup make the events before T no-ops, the ones after are
applied again), or a new consumer must see history. The group only ever moves back, never past
records it has not read, and only while none of its members runs: Kafka would overwrite offsets a
live member commits, and the member would not notice the rewind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from smsbus.cli.topic_reader import partitions
from smsbus.runtime.kafka import stop_consumer
from smsbus.runtime.offsets import commit_offsets, committed_offsets


class GroupIsRunning(Exception):
    def __init__(self, group: str, members: int) -> None:
        super().__init__(
            f"consumer group {group!r} has {members} running member(s): stop the service first "
            "(a running member would commit over the rewind)"
        )


@dataclass(frozen=True)
class Move:
    partition: TopicPartition
    committed: int | None
    """The group's committed offset before the rewind (None: it never committed)."""
    target: int
    """Where the group reads next after the rewind."""

    @property
    def records(self) -> int:
        """How many records the group reads again."""
        return 0 if self.committed is None else max(self.committed - self.target, 0)

    def summary(self) -> dict[str, object]:
        return {
            "topic": self.partition.topic,
            "partition": self.partition.partition,
            "committed": self.committed,
            "rewound_to": self.target,
            "records_again": self.records,
        }


async def rewind(
    bootstrap: str, *, group: str, topic: str, since: datetime | None, dry_run: bool
) -> list[Move]:
    """Moves `group`'s offsets on `topic` back to the first record at or after `since` (None:
    the beginning). Partitions the group has not reached that far yet keep their offset; a
    partition it never committed is left alone (it starts from the earliest record anyway)."""
    parts = await partitions(bootstrap, topic)
    members = await _running_members(bootstrap, group)
    if members:
        raise GroupIsRunning(group, members)
    committed = await committed_offsets(bootstrap, group, parts)
    targets = await _offsets_at(bootstrap, parts, since)
    moves = [
        Move(tp, committed.get(tp), min(targets[tp], committed.get(tp, targets[tp])))
        for tp in parts
    ]
    to_commit = {m.partition: m.target for m in moves if m.committed is not None and m.records}
    if to_commit and not dry_run:
        await commit_offsets(bootstrap, group, to_commit)
    return moves


async def _running_members(bootstrap: str, group: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="smsbus-replay-group")
    await admin.start()
    try:
        (described,) = await admin.describe_consumer_groups([group])
    finally:
        await admin.close()
    return sum(len(found["members"]) for found in described.to_object()["groups"])


async def _offsets_at(
    bootstrap: str, parts: list[TopicPartition], since: datetime | None
) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        starts: dict[TopicPartition, int] = await consumer.beginning_offsets(parts)
        if since is None:
            return starts
        ends = await consumer.end_offsets(parts)
        found = await consumer.offsets_for_times(
            {tp: int(since.timestamp() * 1000) for tp in parts}
        )
    finally:
        await stop_consumer(consumer)
    # No record at or after `since` in a partition: nothing there to read again.
    return {tp: found[tp].offset if found.get(tp) else ends[tp] for tp in parts}

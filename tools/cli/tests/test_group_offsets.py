"""`smsbus replay group` and `smsbus lag` against the real broker: a stopped group reads a topic
again from a point in time, never skips ahead, and is refused while one of its members runs; the
lag of each group is what it has not committed."""

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from smsbus.cli.lag import GroupLag, lags, registry_groups
from smsbus.cli.main import main
from smsbus.cli.rewind import GroupIsRunning, rewind
from smsbus.runtime.kafka import delete_topics, ensure_topics
from smsbus.runtime.offsets import commit_offsets
from smsbus.runtime.testing import NewTopic, unique_name
from smsbus.runtime.testing_kafka import committed_offsets, produce

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)


def at(minutes: int) -> int:
    return int((T0 + timedelta(minutes=minutes)).timestamp() * 1000)


async def test_a_stopped_group_is_rewound_to_a_time_and_never_moved_forward(
    kafka_bootstrap: str, new_topic: NewTopic
) -> None:
    topic = await new_topic("rewind", partitions=3)
    p0, p1, p2 = (TopicPartition(topic, n) for n in range(3))
    # p0: records at minutes 0..4, the group read them all; p1: at 0, 10, 20, the group read only
    # the first; p2: never committed.
    await produce(
        kafka_bootstrap, topic, {0: [0, 1, 2, 3, 4], 1: [0, 10, 20], 2: [5]}, timestamp_ms=at
    )
    group = unique_name("svc")
    await commit_offsets(kafka_bootstrap, group, {p0: 5, p1: 1})

    dry = await rewind(
        kafka_bootstrap, group=group, topic=topic, since=T0 + timedelta(minutes=2), dry_run=True
    )

    assert [m.summary() for m in dry] == [
        {"topic": topic, "partition": 0, "committed": 5, "rewound_to": 2, "records_again": 3},
        {"topic": topic, "partition": 1, "committed": 1, "rewound_to": 1, "records_again": 0},
        {"topic": topic, "partition": 2, "committed": None, "rewound_to": 0, "records_again": 0},
    ]
    assert await committed_offsets(kafka_bootstrap, group, [p0, p1, p2]) == [5, 1, None]

    await rewind(
        kafka_bootstrap, group=group, topic=topic, since=T0 + timedelta(minutes=2), dry_run=False
    )

    assert await committed_offsets(kafka_bootstrap, group, [p0, p1, p2]) == [2, 1, None]

    moves = await rewind(kafka_bootstrap, group=group, topic=topic, since=None, dry_run=False)

    assert [m.records for m in moves] == [2, 1, 0]
    assert await committed_offsets(kafka_bootstrap, group, [p0, p1, p2]) == [0, 0, None]


async def test_a_time_after_every_record_reads_nothing_again(
    kafka_bootstrap: str, new_topic: NewTopic
) -> None:
    topic = await new_topic("rewind")
    tp = TopicPartition(topic, 0)
    await produce(kafka_bootstrap, topic, {0: [0, 1]}, timestamp_ms=at)
    group = unique_name("svc")
    await commit_offsets(kafka_bootstrap, group, {tp: 2})

    (move,) = await rewind(
        kafka_bootstrap, group=group, topic=topic, since=T0 + timedelta(hours=1), dry_run=False
    )

    assert (move.target, move.records) == (2, 0)
    assert await committed_offsets(kafka_bootstrap, group, [tp]) == [2]


async def test_a_running_group_and_an_unknown_topic_are_refused(
    kafka_bootstrap: str, new_topic: NewTopic
) -> None:
    topic = await new_topic("rewind")
    await produce(kafka_bootstrap, topic, {0: [0, 1]}, timestamp_ms=at)
    group = unique_name("svc")
    member = AIOKafkaConsumer(topic, bootstrap_servers=kafka_bootstrap, group_id=group)
    await member.start()
    try:
        await asyncio.wait_for(member.getmany(timeout_ms=3000), timeout=10)  # joined, assigned
        with pytest.raises(GroupIsRunning, match="1 running member"):
            await rewind(kafka_bootstrap, group=group, topic=topic, since=None, dry_run=False)
    finally:
        await member.stop()

    with pytest.raises(ValueError, match="no topic"):
        await rewind(
            kafka_bootstrap, group=group, topic="no.such.topic.v1", since=None, dry_run=True
        )


def test_the_command_line_says_what_it_would_read_again_and_refuses_a_naive_time(
    kafka_bootstrap: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Sync on purpose: the command runs its own event loop, as from a shell.
    topic, group = f"rewind.{unique_name('cli')}.v1", unique_name("svc")
    asyncio.run(ensure_topics(kafka_bootstrap, [topic], partitions=1))
    try:
        asyncio.run(produce(kafka_bootstrap, topic, {0: [0, 1]}, timestamp_ms=at))
        asyncio.run(commit_offsets(kafka_bootstrap, group, {TopicPartition(topic, 0): 2}))
        monkeypatch.setenv("SMSBUS_KAFKA_BOOTSTRAP", kafka_bootstrap)
        since = "2026-11-29T06:01:00"

        with pytest.raises(SystemExit) as done:
            main(["replay", "group", group, "--topic", topic, "--since", f"{since}Z", "--dry-run"])

        assert done.value.code == 0
        lines = capsys.readouterr().out.splitlines()
        assert json.loads(lines[0])["records_again"] == 1
        assert lines[-1] == f"{group} would read again 1 record(s) of {topic}"

        with pytest.raises(SystemExit) as refused:
            main(["replay", "group", group, "--topic", topic, "--since", since])
        assert refused.value.code == 2
        assert "has no UTC offset" in capsys.readouterr().err

        # The same through `smsbus replay --group`: a stopped group back to the window's start.
        with pytest.raises(SystemExit) as done:
            main(
                ["replay", "--topic", topic, "--since", f"{since}Z", "--group", group, "--dry-run"]
            )
        assert done.value.code == 0
        assert json.loads(capsys.readouterr().out.splitlines()[0])["records_again"] == 1
        refusals = {
            "a filter": (
                ["--type", "message.received"],
                "filters, --until and --rate do not apply",
            ),
            "no start": ([], "--group needs --since"),
            "a naive time": (["--since", since], "has no UTC offset"),
        }
        for label, (extra, message) in refusals.items():
            start = [] if label != "a filter" else ["--since", f"{since}Z"]
            with pytest.raises(SystemExit) as refused:
                main(["replay", "--topic", topic, *start, *extra, "--group", group])
            assert refused.value.code == 2, label
            assert message in capsys.readouterr().err, label
    finally:
        asyncio.run(delete_topics(kafka_bootstrap, [topic]))


async def test_lag_lists_each_group_behind_on_its_topic_and_skips_missing_topics(
    kafka_bootstrap: str, new_topic: NewTopic
) -> None:
    topic = await new_topic("lag", partitions=2)
    await produce(kafka_bootstrap, topic, {0: [0, 1, 2], 1: [3]}, timestamp_ms=at)
    reader, idle = unique_name("svc"), unique_name("svc")
    await commit_offsets(kafka_bootstrap, reader, {TopicPartition(topic, 0): 3})

    found = await lags(kafka_bootstrap, [(reader, topic), (idle, topic), (reader, "no.such.v1")])

    assert found == [GroupLag(reader, topic, 1), GroupLag(idle, topic, 4)]
    assert ("compliance", "openphone.messages.v1") in registry_groups()

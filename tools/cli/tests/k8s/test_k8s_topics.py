"""The committed KafkaTopics are the topic registry's: every topic and every dead-letter topic,
nothing else, durable as the base promises."""

from pathlib import Path
from typing import Any

import yaml

from smsbus.cli import k8s_topics
from smsbus.cli.stack.config import find_repo_root
from smsbus.contracts.topics import all_dlq_topics, all_topics, consumer_groups

COMMITTED = find_repo_root() / k8s_topics.TOPICS_FILE


def committed_topics() -> dict[str, Any]:
    docs = [doc for doc in yaml.safe_load_all(COMMITTED.read_text()) if doc]
    assert all(doc["kind"] == "KafkaTopic" for doc in docs)
    by_name = {doc["spec"]["topicName"]: doc for doc in docs}
    assert len(by_name) == len(docs), "a topic is declared twice"
    return by_name


def test_the_committed_kafka_topics_are_generated_from_the_registry() -> None:
    assert COMMITTED.read_text() == k8s_topics.render(), (
        f"{k8s_topics.TOPICS_FILE} differs from the registry: run `{k8s_topics.REGENERATE}`"
    )


def test_every_registry_topic_and_dead_letter_topic_has_one_kafka_topic() -> None:
    assert set(committed_topics()) == {*all_topics(), *all_dlq_topics()}


def test_each_topic_names_its_consumer_groups_as_the_registry_does() -> None:
    for name, topic in committed_topics().items():
        if name in all_topics():
            groups = topic["metadata"]["annotations"].get("smsbus.io/consumer-groups", "")
            assert (groups.split(",") if groups else []) == consumer_groups(name), name


def test_the_base_survives_one_broker_lost() -> None:
    for name, topic in committed_topics().items():
        spec = topic["spec"]
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == k8s_topics.CLUSTER
        assert spec["replicas"] == 3, name
        assert spec["config"]["min.insync.replicas"] == 2, name


def test_streams_are_partitioned_for_parallelism_and_dead_letters_kept_in_order() -> None:
    roles = {
        name: t["metadata"]["labels"]["smsbus.io/topic-role"]
        for name, t in committed_topics().items()
    }
    partitions = {name: t["spec"]["partitions"] for name, t in committed_topics().items()}
    for dlq in all_dlq_topics():
        assert (roles[dlq], partitions[dlq]) == ("dead-letter", 1)
    assert (roles["ingest.rejected.v1"], partitions["ingest.rejected.v1"]) == ("quarantine", 1)
    streams = [name for name, role in roles.items() if role == "stream"]
    assert "openphone.messages.v1" in streams
    assert {partitions[name] for name in streams} == {k8s_topics.STREAM_PARTITIONS}


def test_check_reports_a_stale_file_and_leaves_it_alone(tmp_path: Path) -> None:
    target = tmp_path / "topics.yaml"
    target.write_text("stale\n")
    assert k8s_topics.sync(target, check_only=True) == 1
    assert target.read_text() == "stale\n"


def test_write_regenerates_the_file_and_then_check_passes(tmp_path: Path) -> None:
    target = tmp_path / "topics.yaml"
    assert k8s_topics.sync(target, check_only=False) == 0
    assert target.read_text() == k8s_topics.render()
    assert k8s_topics.sync(target, check_only=True) == 0

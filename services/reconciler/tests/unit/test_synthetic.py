"""Synthetic envelopes: deterministic ids, the webhook's dedupe key, source reconciler."""

import pytest

from smsbus.contracts import decode_event, encode_event, partition_key
from smsbus.reconciler.domain.facts import call_facts, message_facts
from smsbus.reconciler.domain.synthetic import synthetic_envelope, synthetic_event_id

from ..builders import PERSON, a_call, a_message, at


def test_event_ids_are_deterministic_and_distinct() -> None:
    keys = [
        "message.received:ACm1",
        "message.delivered:ACm1",
        "call.completed:ACm1",
        "message.received:ACm2",
    ]
    first = [synthetic_event_id(key) for key in keys]
    assert first == [synthetic_event_id(key) for key in keys]
    assert len(set(first)) == len(keys)
    assert all(i.startswith("reconciler-") and len(i) == len("reconciler-") + 32 for i in first)


FACTS = [
    ("incoming message", message_facts(a_message("incoming", "received"))[0], "message.received:ACm1"),
    ("delivered message", message_facts(a_message("outgoing", "delivered"))[0], "message.delivered:ACm1"),
    ("completed call", call_facts(a_call("completed", completedAt=at(65)))[0], "call.completed:ACc1"),
]  # fmt: skip


@pytest.mark.parametrize(("label", "fact", "key"), FACTS, ids=[f[0] for f in FACTS])
def test_synthetic_envelope(label, fact, key) -> None:  # type: ignore[no-untyped-def]
    envelope = synthetic_envelope(fact, run_id="run-1", recorded_at=at(600))
    assert envelope.dedupe_key == key, label
    assert envelope.source == "reconciler"
    assert envelope.event_id == synthetic_event_id(key)
    assert envelope.type == fact.event_type
    assert envelope.occurred_at == fact.occurred_at
    assert envelope.recorded_at == at(600)
    assert envelope.correlation_id == "run-1"
    assert envelope.data is fact.data
    # Keyed by the external participant, as ingest keys the webhook, and it round-trips.
    assert partition_key(envelope) == PERSON
    assert decode_event(encode_event(envelope)) == envelope


def test_the_same_fact_gets_the_same_envelope_in_another_run_but_the_correlation() -> None:
    fact = message_facts(a_message())[0]
    one = synthetic_envelope(fact, run_id="run-1", recorded_at=at(600))
    two = synthetic_envelope(fact, run_id="run-2", recorded_at=at(900))
    assert (one.event_id, one.dedupe_key, one.data) == (two.event_id, two.dedupe_key, two.data)

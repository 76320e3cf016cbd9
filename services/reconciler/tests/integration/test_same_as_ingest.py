"""A synthetic copy is what ingest publishes for the same fact: the same type, dedupe key,
schema version, record key and payload, in every field both carry.

Ingest writes to its own topics here, so the reconciler sees none of it and copies every fact;
the two copies of each fact are then compared field by field."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from smsbus.contracts import Envelope

from .harness import GRACE, Stack, StartStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# Payload fields that differ, by event type, and why:
# - message.*: v4 webhooks carry no `updatedAt`; REST does.
# - call.completed of a recorded call: REST answers the call's latest state, which has the
#   recording in `media`; the webhook was sent before the recording was ready.
DIFFERENT_FIELDS = {
    "message.received": {"updated_at"},
    "message.delivered": {"updated_at"},
    "call.completed": {"media"},
    "call.recording.completed": set(),
}


@pytest.fixture
async def stack(start_stack: StartStack) -> AsyncIterator[Stack]:
    async with start_stack(separate_ingest_topics=True) as running:
        yield running


def differing(one: Envelope[Any], other: Envelope[Any]) -> set[str]:
    ours, theirs = one.data.model_dump(by_alias=False), other.data.model_dump(by_alias=False)
    return {name for name in ours.keys() | theirs.keys() if ours.get(name) != theirs.get(name)}


async def test_synthetic_copies_equal_what_ingest_published(stack: Stack) -> None:
    await stack.inbound("+14155550151", "STOP")
    await stack.send("+14155550152")
    await stack.call("+14155550153", recording=True)
    await stack.sim.settle()
    stack.clock.advance(2 * GRACE)

    run = await stack.run()
    assert run["status"] == "succeeded", run

    synthetic = {e.dedupe_key: (key, e) for key, e in await stack.events()}
    from_ingest = {e.dedupe_key: (key, e) for key, e in await stack.events(stack.published)}
    assert set(synthetic) == {
        key for key in from_ingest if not key.startswith("call.ringing:")
    }  # call.ringing is not reconciled: a ring long over is not news
    assert len(synthetic) == 4
    for dedupe_key, (record_key, copy) in synthetic.items():
        webhook_key, webhook = from_ingest[dedupe_key]
        assert (copy.source, webhook.source) == ("reconciler", "openphone.webhook")
        assert record_key == webhook_key, dedupe_key
        assert (copy.type, copy.schema_version) == (webhook.type, webhook.schema_version)
        assert type(copy.data) is type(webhook.data)
        assert differing(copy, webhook) == DIFFERENT_FIELDS[copy.type], dedupe_key
        # Provider time: the same instant, up to the webhook's millisecond timestamps.
        assert abs((copy.occurred_at - webhook.occurred_at).total_seconds()) < 0.01, dedupe_key

"""OpenPhone delivers at least once: three deliveries of one webhook carry one dedupe key."""

import pytest

from smsbus.contracts import decode_event
from smsbus.ingest.testing import sample

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("generation", "key"),
    [("v4", "current"), ("app", "rotated"), ("versioned", "standard")],
    ids=[
        "v4 (openphone-signature)",
        "app v3 (after a key rotation)",
        "2026-03-30 (Standard Webhooks)",
    ],
)
async def test_three_deliveries_publish_one_dedupe_key(ingest, generation: str, key: str) -> None:
    body = sample(generation, "call.recording.completed").body()
    # Each retry is signed anew: the same body under three different signature timestamps.
    answers = []
    for age in (120, 60, 0):
        response = await ingest.post(body, ingest.sign(body, key=key, age=age))
        assert response.status_code == 202, response.text
        answers.append(response.json())

    assert answers[0] == answers[1] == answers[2]
    assert answers[0]["dedupe_key"] == "call.recording.completed:ACb2c3d4e5f6a7480b9c0d1e2f3a4b5c6d"

    records = (await ingest.published())["openphone.calls.v1"]
    events = [decode_event(record.value) for record in records]
    assert len(events) == 3
    assert {event.dedupe_key for event in events} == {answers[0]["dedupe_key"]}
    assert {event.event_id for event in events} == {"EV2a7c3d4e5f6a7b8c9d0e1f2a3b4c5d6e"}
    assert len({(record.key, record.partition) for record in records}) == 1
    assert len({record.value for record in records}) == 1

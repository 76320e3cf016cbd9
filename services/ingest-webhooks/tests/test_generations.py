"""Every sample of every generation publishes the same canonical event as its v4 equivalent:
the same bytes, under the same key, on the same topic, with the same answer."""

import pytest

from smsbus.contracts import decode_event, route_for
from smsbus.ingest.testing import Sample, sample, samples

pytestmark = pytest.mark.integration

OTHER_GENERATIONS = [s for s in samples() if s.generation != "v4"]


async def _deliver(ingest, case: Sample) -> dict[str, str]:
    body = case.body()
    key = "standard" if case.generation == "versioned" else "current"
    response = await ingest.post(body, ingest.sign(body, key=key))
    assert response.status_code == 202, response.text
    answer: dict[str, str] = response.json()
    return answer


@pytest.mark.parametrize("case", OTHER_GENERATIONS, ids=lambda s: s.label)
async def test_the_same_canonical_event_as_v4(ingest, case: Sample) -> None:
    v4 = sample("v4", case.event_type)
    assert await _deliver(ingest, case) == await _deliver(ingest, v4)

    published = await ingest.published()
    topic = route_for(case.event_type).topic
    theirs, ours = published[topic]
    assert theirs.value == ours.value
    assert theirs.key == ours.key
    assert theirs.partition == ours.partition
    assert dict(theirs.headers) == dict(ours.headers)
    assert {name: len(records) for name, records in published.items() if records} == {topic: 2}

    event = decode_event(theirs.value)
    assert (event.type, event.event_id) == (case.event_type, v4.payload()["id"])

"""A STOP whose webhook OpenPhone never delivered is opted out and confirmed within 5 minutes
of being sent, by the reconciler's fast pass on its shipped schedule (no manual run).

Test-sized: 60 people text, 12 of them then say STOP, while OpenPhone drops 30 % of the
webhooks (seeded: some STOPs are among them). The issue's full size (500 people, 100 STOPs)
is bench/reconciler/lost_stops.py. The stack and the scenario: lost_stops_stack.py.
"""

from __future__ import annotations

import pytest

from .lost_stops_stack import DEADLINE, Scenario, lost_stops_stack, play

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.alone]  # timed: no neighbour


async def test_every_lost_stop_is_confirmed_within_five_minutes(
    database_url: str, kafka_bootstrap: str
) -> None:
    async with lost_stops_stack(database_url=database_url, bootstrap=kafka_bootstrap) as pipeline:
        outcome = await play(pipeline, Scenario(people=60, stops=12, spread=30.0))

    stoppers = set(outcome.stops)
    assert outcome.recovered, "no STOP webhook was dropped: the scenario proves nothing"
    assert outcome.missing == [], outcome.latency
    assert outcome.opted_out == stoppers
    assert max(outcome.latency.values()) <= DEADLINE, outcome.latency
    assert outcome.confirmations == dict.fromkeys(stoppers, 1)
    # The fast pass lists conversations and reads only unseen last activities' threads: at
    # most one listing a minute plus two reads per lost STOP and per other unseen activity.
    fast = outcome.requests["fast"]
    assert set(fast) <= {"GET /v1/conversations", "GET /v1/messages", "GET /v1/calls"}, fast
    assert fast.get("GET /v1/messages", 0) == fast.get("GET /v1/calls", 0) >= len(outcome.recovered)

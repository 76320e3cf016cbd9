"""What a pass's recovered facts count: the missing events by type, whichever pass found them,
and each fact's delay under its pass."""

from smsbus.reconciler.domain.facts import Fact
from smsbus.reconciler.observability import ReconcilerMetrics
from smsbus.runtime.metrics import Metrics

from ..builders import a_message, at


def fact(event_type: str, object_id: str) -> Fact:
    return Fact(event_type, object_id, at(0), a_message(id=object_id))


def test_recovered_facts_count_as_missing_events_by_type_from_both_passes() -> None:
    metrics = ReconcilerMetrics.create(Metrics("reconciler"))
    fast = [fact("message.received", "AC1"), fact("message.received", "AC2")]
    deep = [fact("message.delivered", "AC3"), fact("message.received", "AC4")]

    metrics.recovered("fast", fast, at=at(90))
    metrics.recovered("deep", deep, at=at(600))

    sample = metrics.base.registry.get_sample_value
    missing = "smsbus_reconciler_missing_events_total"
    assert sample(missing, {"event_type": "message.received"}) == 3.0
    assert sample(missing, {"event_type": "message.delivered"}) == 1.0
    delays = "smsbus_reconciler_recovery_delay_seconds_sum"
    assert (sample(delays, {"pass": "fast"}), sample(delays, {"pass": "deep"})) == (180.0, 1200.0)

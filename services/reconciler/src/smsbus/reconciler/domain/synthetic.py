"""The synthetic envelope for a missing fact: the same type, payload and dedupe key a webhook
would have, a deterministic event id, and `source="reconciler"`."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Final

from smsbus.contracts import Envelope, make_envelope
from smsbus.reconciler.domain.facts import Fact

SOURCE: Final = "reconciler"


def synthetic_event_id(dedupe_key: str) -> str:
    """Equal for every copy of the same fact, so a re-emitted copy is recognisably the same."""
    return "reconciler-" + hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]


def synthetic_envelope(fact: Fact, *, run_id: str, recorded_at: datetime) -> Envelope[Any]:
    return make_envelope(
        fact.data,
        event_type=fact.event_type,
        event_id=synthetic_event_id(fact.dedupe_key),
        object_id=fact.object_id,
        source=SOURCE,
        occurred_at=fact.occurred_at,
        recorded_at=recorded_at,
        correlation_id=run_id,
    )

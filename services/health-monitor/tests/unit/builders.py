"""Builders for the pure tests: a fixed clock and a pending check."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from smsbus.health.domain.checks import Check, new_check
from smsbus.health.domain.matching import Observed

NOW = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
CHECK_ID = "0f4d5a52-7c1e-4d0a-9a55-3c2b1e0d9f11"
LINE = "+15555550100"
CANARY = "+15555550177"


def a_check(**changes: Any) -> Check:
    check = new_check(
        check_id=CHECK_ID,
        line=LINE,
        to=CANARY,
        template="smsbus canary {check_id}",
        now=NOW,
        timeout=timedelta(seconds=120),
    )
    return replace(check, **changes)


def sent_check(**changes: Any) -> Check:
    started = NOW + timedelta(seconds=1)
    return a_check(state="sent", started_at=started, message_id="ACcanary", **changes)


def an_event(event_type: str = "message.delivered", **changes: Any) -> Observed:
    fields: dict[str, Any] = {
        "event_type": event_type,
        "message_id": "ACcanary",
        "direction": "outgoing",
        "from_": LINE,
        "to": (CANARY,),
        "text": f"smsbus canary {CHECK_ID}",
        "status": "delivered",
    }
    return Observed(**(fields | changes))

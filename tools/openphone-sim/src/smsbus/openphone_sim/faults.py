"""Fault injection as data plus pure decisions, reproducible under a seed.

Every decision is a hash of (seed, what is decided, what it is about), not a draw from a shared
random stream, so background work running in a different order still gets the same answers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from smsbus.openphone_sim.settings import FailureStatus

Rate = float


class Faults(BaseModel):
    """What `POST /sim/faults` sets (the whole set at once; absent fields mean no fault)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int | None = None
    """None: the simulator's seed."""
    drop_rate: Rate = Field(default=0.0, ge=0, le=1)
    """Share of webhook deliveries never attempted (the facts stay visible through REST)."""
    duplicate_rate: Rate = Field(default=0.0, ge=0, le=1)
    """Share of webhook deliveries sent twice (same event id, same body)."""
    delay_rate: Rate = Field(default=0.0, ge=0, le=1)
    delay_max_seconds: float = Field(default=0.0, ge=0)
    """A delayed delivery waits up to this many OpenPhone seconds (÷ speed): it gets reordered."""
    outage_start: AwareDatetime | None = None
    outage_end: AwareDatetime | None = None
    """Simulated-clock window in which no attempt is made (attempts fail and are retried)."""
    outage_seconds: float | None = Field(default=None, gt=0)
    """Shortcut: an outage from now for this many simulated seconds."""
    rest_error_rate: Rate = Field(default=0.0, ge=0, le=1)
    rest_error_statuses: list[int] = Field(default=[429, 500, 502, 503], min_length=1)
    rest_error_after_send: bool = False
    """An injected 5xx to `POST /v1/messages` comes after the message was accepted."""
    daily_cap: int | None = Field(default=None, ge=0)
    """Sends per line per (simulated, UTC) day before 403 `0204403`."""
    slow_rate: Rate = Field(default=0.0, ge=0, le=1)
    slow_seconds: float = Field(default=0.0, ge=0)
    """Real seconds added to that share of REST answers."""
    failing_numbers: dict[str, FailureStatus] | None = None
    """None: the settings' failing numbers."""

    def anchored(self, now: datetime) -> Faults:
        """`outage_seconds` turned into a window starting now."""
        if self.outage_seconds is None:
            return self
        return self.model_copy(
            update={
                "outage_start": now,
                "outage_end": now + timedelta(seconds=self.outage_seconds),
                "outage_seconds": None,
            }
        )


@dataclass(frozen=True)
class DeliveryPlan:
    drop: bool
    delays: tuple[float, ...]
    """One initial delay (OpenPhone seconds) per copy; two copies for a duplicate."""


@dataclass(frozen=True)
class RestFault:
    status: int | None
    slow_seconds: float


def chance(seed: int, *subject: object) -> float:
    """A number in [0, 1) fixed by the seed and the subject."""
    text = ":".join(str(part) for part in (seed, *subject))
    return int(hashlib.sha256(text.encode()).hexdigest()[:16], 16) / 2**64


def plan_delivery(faults: Faults, *, seed: int, event_id: str, webhook_id: str) -> DeliveryPlan:
    if chance(seed, "drop", event_id, webhook_id) < faults.drop_rate:
        return DeliveryPlan(drop=True, delays=())
    copies = 2 if chance(seed, "duplicate", event_id, webhook_id) < faults.duplicate_rate else 1
    delays = []
    for copy in range(copies):
        delayed = chance(seed, "delay", event_id, webhook_id, copy) < faults.delay_rate
        spread = chance(seed, "delay-by", event_id, webhook_id, copy)
        delays.append(spread * faults.delay_max_seconds if delayed else 0.0)
    return DeliveryPlan(drop=False, delays=tuple(delays))


def in_outage(faults: Faults, at: datetime) -> bool:
    if faults.outage_start is None or faults.outage_end is None:
        return False
    return faults.outage_start <= at < faults.outage_end


def rest_fault(faults: Faults, *, seed: int, request_number: int) -> RestFault:
    """What happens to the n-th authenticated REST request since the faults were set."""
    status = None
    if chance(seed, "rest-error", request_number) < faults.rest_error_rate:
        pick = chance(seed, "rest-status", request_number)
        status = faults.rest_error_statuses[int(pick * len(faults.rest_error_statuses))]
    slow = chance(seed, "slow", request_number) < faults.slow_rate
    return RestFault(status=status, slow_seconds=faults.slow_seconds if slow else 0.0)


def daily_cap_reached(faults: Faults, *, sent_today: int) -> bool:
    return faults.daily_cap is not None and sent_today >= faults.daily_cap

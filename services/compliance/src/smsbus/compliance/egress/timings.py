"""Every timing of exactly-once sending, in one place, for every purpose."""

from __future__ import annotations

from dataclasses import dataclass, field

from smsbus.runtime.failures import Backoff


@dataclass(frozen=True)
class Timings:
    client_timeout: float = 10.0
    """The OpenPhone client's own timeout (connect, write, read each)."""
    lookup_after: float = 35.0
    """An unknown outcome is looked up this long after its POST began, never sooner: a POST cut
    off by our timeout may still land at OpenPhone until then, and "not found" before it proves
    nothing. At least three client timeouts (connect + write + read)."""
    lookup_margin: float = 120.0
    """The lookup's window starts this long before the POST (clock skew); it has no end, so a
    late-landing message is found."""
    retry: Backoff = field(default_factory=lambda: Backoff(initial=1.0, maximum=300.0))
    """Between attempts that surely did not send (429, unreachable, an account refusal of a
    confirmation) and after failed lookups."""
    max_attempts: int = 20
    """POSTs per request before it fails (with the backoff: hours)."""
    poll_interval: float = 1.0
    """Between passes when nothing woke the sender (a NOTIFY wakes it at once)."""
    requester_timeout: float = 3.0
    """For asking a requester whether its work is still on."""

    def __post_init__(self) -> None:
        if self.lookup_after < 3 * self.client_timeout:
            raise ValueError(
                "lookup_after must be at least three client timeouts: a POST may still land "
                f"until then (client timeout {self.client_timeout}s, lookup_after "
                f"{self.lookup_after}s)"
            )

"""`--rate N/s`: how long to wait before the next record, so that N a second leave at most.

Pure (the caller passes the clock's reading and does the waiting). The generic cell rate
algorithm: each record books the slot 1/N s after the previous one's, and may leave up to `slack`
seconds before its slot, so the caller sleeps every `slack` seconds (N * slack records) rather
than before every record; over a whole replay the rate is N.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def parse_rate(text: str) -> float:
    """`1000`, `1000/s`, `50/m` → records per second."""
    number, _, unit = text.strip().partition("/")
    per = {"": 1.0, "s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}.get(unit.strip().lower())
    try:
        rate = float(number) / per if per else 0.0
    except ValueError:
        rate = 0.0
    if rate <= 0:
        raise ValueError(f"{text!r} is not a rate (e.g. 1000/s, 50/m)")
    return rate


@dataclass(slots=True)
class Pacer:
    rate: float | None
    """Records per second; None: as fast as the broker takes them."""
    slack: float = 0.05
    _slot: float | None = field(default=None, init=False)

    def book(self, now: float) -> float:
        """Seconds to wait (0: go now) before the record this call books."""
        if self.rate is None:
            return 0.0
        slot = now if self._slot is None else max(self._slot, now)
        self._slot = slot + 1.0 / self.rate
        ahead = slot - now
        return ahead if ahead > self.slack else 0.0

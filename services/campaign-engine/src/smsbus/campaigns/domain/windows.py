"""When a recipient may be texted: the campaign's window in the recipient's local time, never
outside the federal 08:00-21:00 nor the stricter state window (reference/compliance.md §4).

The law is `smsbus.rules.quiet_hours`, the one copy the egress judges by as well: the engine
asks for a marketing text only when the egress, reading the same rules at the same moment,
will send it rather than hold it.
"""

from smsbus.rules.quiet_hours import (
    FEDERAL,
    FREQUENCY_CAP,
    FREQUENCY_CAP_STATES,
    NO_SUNDAY,
    STATE_HOURS,
    Locality,
    SendWindow,
    hours_for,
    is_open,
    locality,
    next_open,
)

__all__ = [
    "FEDERAL",
    "FREQUENCY_CAP",
    "FREQUENCY_CAP_STATES",
    "NO_SUNDAY",
    "STATE_HOURS",
    "Locality",
    "SendWindow",
    "hours_for",
    "is_open",
    "locality",
    "next_open",
]

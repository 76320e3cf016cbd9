"""When a recipient may be texted: the campaign's window in the recipient's local time, never
outside the law of any state the person may be in (reference/compliance.md §4): hours by
weekday, Sundays, legal holidays and frequency caps, the strictest of them.

The law is `smsbus.rules`, the one copy the egress judges by as well: the engine asks for a
marketing text only when the egress, reading the same rules at the same moment, will send it
rather than hold it.
"""

from smsbus.rules.places import address_states
from smsbus.rules.quiet_hours import (
    FEDERAL,
    Locality,
    SendWindow,
    frequency_cap,
    is_open,
    locality,
    next_open,
)
from smsbus.rules.states import Cap

__all__ = [
    "FEDERAL",
    "Cap",
    "Locality",
    "SendWindow",
    "address_states",
    "frequency_cap",
    "is_open",
    "locality",
    "next_open",
]

"""The dispatch loop and its steps, one job per module:

- `loop`: claim due members, decide them, start scheduled campaigns, finish drained ones;
- `decisions`: one batch's checks and decisions (skip, wait, or an intent with its request);
- `requests`: the SendRequested for one member's attempt (to compliance's egress).

What the egress answers is handled by `handlers/results.py`.
"""

from smsbus.campaigns.dispatch.config import DispatchConfig
from smsbus.campaigns.dispatch.loop import Dispatcher

__all__ = ["DispatchConfig", "Dispatcher"]
